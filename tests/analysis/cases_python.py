"""Labelled Python changes."""

from textwrap import dedent

from tests.analysis.corpus import case

BASE = """
    import os


    def top(a):
        return a + 1


    class Service:
        \"\"\"A service.\"\"\"

        def run(self, items):
            total = 0
            for item in items:
                total += item
            return total

        @property
        def size(self):
            return 1

        @size.setter
        def size(self, value):
            self._size = value


    def other():
        return os.sep
"""

CASES = [
    case(
        "body edit in a method",
        BASE,
        BASE.replace("total += item", "total += item * 2"),
        "modified Service.run",
        kinds={"Service.run": "method"},
    ),
    case(
        "function added at the end",
        BASE,
        BASE + "\n\n    def extra():\n        return 2\n",
        "added extra",
        kinds={"extra": "function"},
    ),
    case(
        "function deleted",
        BASE,
        BASE.replace("def other():\n        return os.sep\n", ""),
        "deleted other",
    ),
    case(
        "function renamed is deleted plus added",
        BASE,
        BASE.replace("def top(a)", "def first(a)"),
        "deleted top",
        "added first",
    ),
    case(
        "functions swapped places are not modified",
        """
        def a():
            return 1


        def b():
            return 2
        """,
        """
        def b():
            return 2


        def a():
            return 1
        """,
    ),
    case(
        "lines inserted above shift but do not modify",
        BASE,
        BASE.replace("import os\n", "import os\n    import sys\n\n    # a comment\n"),
    ),
    case(
        "trailing whitespace only",
        BASE,
        BASE.replace("return a + 1", "return a + 1   ").replace("total = 0", "total = 0\t"),
    ),
    case("line endings turned to CRLF", BASE, dedent(BASE).replace("\n", "\r\n")),
    case(
        "indentation inside the body counts",
        """
        def f(x):
            if x:
                return 1
            return 2
        """,
        """
        def f(x):
            if x:
                    return 1
            return 2
        """,
        "modified f",
    ),
    case(
        "comment inside the body counts",
        BASE,
        BASE.replace("total = 0", "total = 0  # start"),
        "modified Service.run",
    ),
    case(
        "docstring change counts",
        '''
        def f():
            """Old."""
            return 1
        ''',
        '''
        def f():
            """New."""
            return 1
        ''',
        "modified f",
    ),
    case(
        "decorator added is part of the span",
        BASE,
        BASE.replace("def other():", "@staticmethod\n    def other():"),
        "modified other",
    ),
    case(
        "decorator argument change",
        """
        @cache(size=1)
        def f():
            return 1
        """,
        """
        @cache(size=2)
        def f():
            return 1
        """,
        "modified f",
    ),
    case(
        "nested function edit modifies both",
        """
        def outer():
            def inner():
                return 1
            return inner
        """,
        """
        def outer():
            def inner():
                return 2
            return inner
        """,
        "modified outer",
        "modified outer.inner",
    ),
    case(
        "nested function added",
        """
        def outer():
            return 1
        """,
        """
        def outer():
            def helper():
                return 1
            return helper()
        """,
        "modified outer",
        "added outer.helper",
        kinds={"outer.helper": "function"},
    ),
    case(
        "class inside a function",
        """
        def factory():
            class Local:
                def m(self):
                    return 1
            return Local
        """,
        """
        def factory():
            class Local:
                def m(self):
                    return 2
            return Local
        """,
        "modified factory",
        "modified factory.Local.m",
        kinds={"factory.Local.m": "method"},
    ),
    case(
        "nested classes",
        """
        class Outer:
            class Inner:
                def m(self):
                    return 1
        """,
        """
        class Outer:
            class Inner:
                def m(self):
                    return 2
        """,
        "modified Outer.Inner.m",
    ),
    case(
        "async def",
        """
        async def fetch(url):
            return await get(url)
        """,
        """
        async def fetch(url):
            return await get(url, timeout=1)
        """,
        "modified fetch",
    ),
    case(
        "function under if",
        """
        import sys
        if sys.version_info >= (3, 11):
            def now():
                return 1
        """,
        """
        import sys
        if sys.version_info >= (3, 11):
            def now():
                return 2
        """,
        "modified now",
    ),
    case(
        "definitions in try and except collapse",
        """
        try:
            def load():
                return fast()
        except ImportError:
            def load():
                return slow()
        """,
        """
        try:
            def load():
                return fast()
        except ImportError:
            def load():
                return slower()
        """,
        "modified load",
    ),
    case(
        "overload stub added",
        """
        from typing import overload

        @overload
        def conv(x: int) -> int: ...
        def conv(x):
            return x
        """,
        """
        from typing import overload

        @overload
        def conv(x: int) -> int: ...
        @overload
        def conv(x: str) -> str: ...
        def conv(x):
            return x
        """,
        "modified conv",
    ),
    case(
        "property setter edit is one entry",
        BASE,
        BASE.replace("self._size = value", "self._size = int(value)"),
        "modified Service.size",
    ),
    case(
        "lambda edit inside a function only modifies the function",
        """
        def sort(items):
            return sorted(items, key=lambda i: i.name)
        """,
        """
        def sort(items):
            return sorted(items, key=lambda i: i.title)
        """,
        "modified sort",
    ),
    case(
        "module-level lambda is not a definition",
        "key = lambda i: i.name\n",
        "key = lambda i: i.title\n",
    ),
    case(
        "class renamed renames its methods",
        """
        class Old:
            def m(self):
                return 1
        """,
        """
        class New:
            def m(self):
                return 1
        """,
        "deleted Old.m",
        "added New.m",
    ),
    case(
        "method moved to another class",
        """
        class A:
            def m(self):
                return 1


        class B:
            pass
        """,
        """
        class A:
            pass


        class B:
            def m(self):
                return 1
        """,
        "deleted A.m",
        "added B.m",
    ),
    case(
        "comment after the body is not part of it",
        """
        def f():
            return 1
            # old note


        def g():
            return 2
        """,
        """
        def f():
            return 1
            # new note


        def g():
            return 2
        """,
    ),
    case(
        "comment between decorator and def is inside the span",
        """
        @dec
        # why
        def f():
            return 1
        """,
        """
        @dec
        # because
        def f():
            return 1
        """,
        "modified f",
    ),
    case(
        "def inside a with block and a for loop",
        """
        with lock:
            def guarded():
                return 1
        for name in names:
            def each():
                return name
        """,
        """
        with lock:
            def guarded():
                return 2
        for name in names:
            def each():
                return name.upper()
        """,
        "modified guarded",
        "modified each",
    ),
    case(
        "method under if inside a class",
        """
        class A:
            if DEBUG:
                def trace(self):
                    return 1
        """,
        """
        class A:
            if DEBUG:
                def trace(self):
                    return 2
        """,
        "modified A.trace",
        kinds={"A.trace": "method"},
    ),
    case(
        "file deleted",
        BASE,
        None,
        "deleted top",
        "deleted Service.run",
        "deleted Service.size",
        "deleted other",
    ),
    case(
        "file added",
        None,
        "def only():\n    return 1\n",
        "added only",
    ),
    case(
        "blank line added inside a body counts",
        """
        def f():
            a = 1
            return a
        """,
        """
        def f():
            a = 1

            return a
        """,
        "modified f",
    ),
    case(
        "blank lines after a function do not count",
        "def f():\n    return 1\n\n\n\ndef g():\n    return 2\n",
        "def f():\n    return 1\n\ndef g():\n    return 2\n",
    ),
    case(
        "syntax error keeps recovered definitions",
        """
        def good():
            return 1


        def other():
            return 2
        """,
        """
        def good():
            return 1


        def other(:
            return 3
        """,
        "modified other",
        parse_error=True,
    ),
    case(
        "function in a match case",
        """
        match mode:
            case "a":
                def handler():
                    return 1
        """,
        """
        match mode:
            case "a":
                def handler():
                    return 2
        """,
        "modified handler",
    ),
    case(
        "class decorator change modifies nothing",
        """
        @dataclass
        class P:
            def m(self):
                return 1
        """,
        """
        @dataclass(frozen=True)
        class P:
            def m(self):
                return 1
        """,
    ),
    case(
        "class body re-indented modifies its methods",
        "class A:\n    def m(self):\n        return 1\n",
        "class A:\n  def m(self):\n      return 1\n",
        "modified A.m",
    ),
    case(
        "file renamed without edits reports nothing",
        BASE + "\n\n    def only_here():\n        return 3\n",
        BASE + "\n\n    def only_here():\n        return 3\n",
        path="src/old_name.py",
        after_path="src/new_name.py",
    ),
    case(
        "stub file is python",
        "def f(x: int) -> int: ...\n",
        "def f(x: str) -> str: ...\n",
        "modified f",
        path="src/types.pyi",
    ),
]
