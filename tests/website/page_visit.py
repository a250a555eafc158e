"""Open one page of the site in the browser and record what a reader would meet.

The record (a `PageVisit`) is plain data, so the checks in `site_checks.py`
are ordinary functions over it, used alike by the real tests and by the
proof tests that break a throwaway copy of the site.
"""
from dataclasses import dataclass, field
from urllib.parse import urlparse

# Runs in the page once it has loaded: waits for MathJax to finish typesetting
# and for every image to be decoded, then reads what the checks need.
COLLECT_PAGE_FACTS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = [...document.images];
  await Promise.all(images.map(img => {
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  const describe = el => {
    const id = el.id || (el.closest("[id]") || {}).id || "";
    return `<${el.tagName.toLowerCase()} class="${el.className}"> in #${id}`;
  };
  const imageFacts = images.map(img => {
    const figure = img.closest("figure");
    const caption = figure ? figure.querySelector("figcaption") : null;
    return {
      src: img.getAttribute("src") || "",
      alt: img.getAttribute("alt") || "",
      caption: caption ? caption.innerText.trim() : "",
      naturalWidth: img.naturalWidth,
    };
  });
  const mathFacts = [...document.querySelectorAll(".math")].map(el => ({
    element: describe(el),
    rendered: el.querySelector("mjx-container") !== null,
    text: el.innerText.slice(0, 80),
  }));
  // Visible prose only: code may legitimately show TeX (e.g. a plot label).
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const rawTex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (/\$\$|\\lfloor/.test(node.textContent)) {
      rawTex.push(`${describe(parent)}: ${node.textContent.trim().slice(0, 80)}`);
    }
  }
  // Bootstrap moves a tooltip's title into data-bs-original-title.
  const links = [...document.querySelectorAll("a[href]")].map(a => ({
    href: a.href,
    text: a.textContent.trim().replace(/\s+/g, " ").slice(0, 60),
    title: a.getAttribute("title") || a.getAttribute("data-bs-original-title") || "",
  }));
  // myst-nb turns a cell's tags into classes: tag_<name>.
  const outputs = [...document.querySelectorAll(".cell_output")].map(el => ({
    element: describe(el),
    text: el.innerText,
    expectsError: Boolean(el.closest(".cell.tag_expected-error")),
  }));
  return {images: imageFacts, math: mathFacts, rawTex, links, outputs};
}
"""


@dataclass
class PageVisit:
    """What one page showed in the browser.

    page: the `_toc.yml` entry (e.g. "book/pooling/why_pooling"); url: what was opened.
    console_errors, failed_requests, external_requests: problems seen while loading.
    images, math, raw_tex, links, outputs: facts read from the rendered page.
    """

    page: str
    url: str
    console_errors: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    external_requests: list = field(default_factory=list)
    images: list = field(default_factory=list)
    math: list = field(default_factory=list)
    raw_tex: list = field(default_factory=list)
    links: list = field(default_factory=list)
    outputs: list = field(default_factory=list)


def is_local(url, base_url):
    """Is `url` served by the test server at `base_url`?"""
    return urlparse(url).netloc == urlparse(base_url).netloc


def open_page(context, base_url, url):
    """A new browser page with listeners attached, before `url` is opened.

    Returns (page, visit): requests to other hosts are refused and recorded,
    since the site must work with no network.
    """
    page = context.new_page()
    visit = PageVisit(page="", url=url)

    def refuse_external(route):
        visit.external_requests.append(route.request.url)
        route.abort()

    def on_response(response):
        if is_local(response.url, base_url) and response.status >= 400:
            visit.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request):
        if is_local(request.url, base_url):
            visit.failed_requests.append(f"{request.failure} {request.url}")

    def on_console(message):
        # Refused external requests are reported once, as external_requests.
        if message.type == "error" and "net::ERR_FAILED" not in message.text:
            visit.console_errors.append(message.text)

    page.route(lambda url: not is_local(url, base_url), refuse_external)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    return page, visit


def visit_page(context, base_url, page_name):
    """Open the page of `_toc.yml` entry `page_name` and return its `PageVisit`."""
    url = f"{base_url}{page_name}.html"
    page, visit = open_page(context, base_url, url)
    visit.page = page_name
    try:
        page.goto(url, wait_until="load")
        facts = page.evaluate(COLLECT_PAGE_FACTS)
    finally:
        page.close()
    visit.images = facts["images"]
    visit.math = facts["math"]
    visit.raw_tex = facts["rawTex"]
    visit.links = facts["links"]
    visit.outputs = facts["outputs"]
    return visit
