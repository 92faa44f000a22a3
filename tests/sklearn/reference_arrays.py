"""The C++ array literals the reference generators (make_*reference.py) write into tests/data/*.inc."""
import numpy as np


def arr(ctype, name, a, fmt="%.17g"):
    """static const <ctype> <name>[] = {...}; with every value of a, row-major."""
    vals = ", ".join(fmt % v for v in np.asarray(a).ravel())
    return "static const %s %s[] = {%s};\n" % (ctype, name, vals)


def dbl(name, a):
    """A double array, to every digit (%.17g round-trips)."""
    return arr("double", name, np.asarray(a, dtype=np.float64))
