"""Put a submission's cells back into the assignment's order, with none of the instructors' cells missing.

Students delete cells, move them and paste their metadata onto cells of their
own. nbgrader puts back deleted test cells only, after the answer before them,
and grades the rest as it finds it. Here, before nbgrader's own restoring
(restore.py), the submission is laid out on the released notebook:

- every cell the instructors gave (it has a grade_id) appears once, in the
  released order: the student's copy where there is one, the released cell
  where the student deleted it (a locked cell's text is then restored by
  nbgrader from the gradebook, like any other locked cell);
- its nbgrader metadata is the released one, so a hand-edited or pasted
  metadata cannot make a cell count as another, or break the grading;
- every cell the student added keeps its place after the cell it followed,
  and loses any nbgrader metadata it copied.

Each change gets a note in words an instructor can act on.
"""
import copy


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _describe(cell):
    meta = cell.metadata["nbgrader"]
    if meta.get("grade") and not meta.get("solution"):
        return f"the test cell {meta['grade_id']}"
    if meta.get("solution"):
        return f"the answer cell {meta['grade_id']}"
    return f"the locked cell {meta['grade_id']}"


def restore_layout(nb, template):
    """Lay nb's cells out on template's (the released notebook); returns (nb, notes). nb is changed in place."""
    released = {grade_id(cell): cell for cell in template.cells if grade_id(cell)}
    order = [grade_id(cell) for cell in template.cells if grade_id(cell)]
    kept, added, anchor = {}, {None: []}, None
    for cell in nb.cells:
        name = grade_id(cell)
        if name in released and name not in kept:
            kept[name] = cell
            anchor = name
            added.setdefault(anchor, [])
        else:
            if "nbgrader" in cell.metadata:
                del cell.metadata["nbgrader"]  # a copy of another cell's metadata, or of its own
            added[anchor].append(cell)
    notes = []
    cells = list(added[None])
    for name in order:
        if name in kept:
            cell = kept[name]
            cell.metadata["nbgrader"] = copy.deepcopy(released[name].metadata["nbgrader"])
        else:
            cell = copy.deepcopy(released[name])
            notes.append(f"{_describe(cell)} was missing and has been put back")
        cells.append(cell)
        cells.extend(added.get(name, []))
    present = [name for name in (grade_id(c) for c in nb.cells) if name in kept]
    if present != [name for name in order if name in kept]:
        notes.append("the notebook's cells were in another order; it was graded in the assignment's order")
    nb.cells = cells
    return nb, notes
