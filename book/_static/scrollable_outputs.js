// Lets a keyboard reach the cell outputs that scroll sideways (WCAG 2.1.1).
// On a phone, course.css lets a wide figure scroll inside its output box
// instead of squeezing it; a box that scrolls must take the focus, or a reader
// without a pointer cannot scroll it. The theme does the same for `pre` blocks,
// but not for these boxes. Re-checked on resize, as whether a box scrolls
// depends on the window's width.
(() => {
  const SCROLLABLE = ".bd-article .cell_output, .bd-article .cell_output figure";
  const updateTabStops = () => {
    document.querySelectorAll(SCROLLABLE).forEach(box => {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
      } else {
        box.removeAttribute("tabindex");
      }
    });
  };
  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(updateTabStops, 300);
  });
  if (document.readyState === "complete") {
    updateTabStops();
  } else {
    window.addEventListener("load", updateTabStops);
  }
})();
