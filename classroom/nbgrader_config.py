# nbgrader's configuration for grading the course (nbgrader 0.9.6). classroom/TEACHERS.md,
# "Grading with nbgrader", says how to use it. Copy this file into your grading folder
# (the course directory) and run every `nbgrader` command from there:
#
#   grading/
#     nbgrader_config.py     this file
#     source/01_numpy_network/01_numpy_network.ipynb     one assignment per notebook,
#     ...                                                copied from the course's notebooks/
#     release/               nbgrader generate_assignment writes the student version here
#     submitted/<student>/<assignment>/<notebook>.ipynb  what students hand in
#     autograded/  feedback/  gradebook.db  grades.csv   written by nbgrader
#
# Autograding runs students' code as the user who runs nbgrader: use an account of its own
# for grading, never root (TEACHERS.md says why and what else to do).

import os

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "tensors-to-nn"

# The notebooks hold their own solutions (### BEGIN SOLUTION) and, after each check, a test
# cell whose hidden part asserts the check passed (### BEGIN HIDDEN TESTS). These are
# nbgrader's defaults, written out so that the course's student copy and nbgrader's release
# are the same code (tests/classroom/test_nbgrader.py asserts it).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Each cell of a student's notebook gets at most this many seconds when autograding; a cell
# that runs longer (an endless loop) is interrupted and recorded as an error, and the
# notebook goes on. The slowest cell (the sweep in 07) takes seconds on an idle machine and
# minutes on a crowded one: keep the bound generous, it only has to stop an endless loop.
c.Execute.timeout = 180
c.Execute.startup_timeout = 120

# Kernels inherit nbgrader's environment. Grade on one thread per kernel (README, "How torch
# uses your CPU"), and never in the test suite's strict mode, in which a failed check raises
# instead of printing its verdict for the student's feedback.
os.environ.setdefault("COURSE_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", os.environ["COURSE_THREADS"])
os.environ.pop("COURSE_CHECKS_STRICT", None)

# Collecting through nbgrader's exchange (students use the Assignments tab of their Jupyter
# server) needs a folder every student can write to; uncomment to use it:
# c.Exchange.root = "/srv/nbgrader/exchange"
