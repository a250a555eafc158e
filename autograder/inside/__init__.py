"""Code that runs inside the sandbox: the warm zygote and the student's process.

Nothing here imports the rest of `autograder`: the grader binds this folder,
read-only, into the sandbox on its own (see ../sandbox.py), so the student's
process can import these modules and nothing else of the grader. The trusted
side imports `wire` and `values` from here too, so both ends speak one format.
"""
