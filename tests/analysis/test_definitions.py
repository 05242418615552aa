"""Qualified names, kinds and line spans of the definitions found in one file."""

from __future__ import annotations

import textwrap

import pytest

from analysis import extract_definitions, language_for_path


def _found(path: str, text: str) -> list[tuple[str, str, int, int]]:
    extraction = extract_definitions(path, textwrap.dedent(text).lstrip("\n").encode())
    assert extraction is not None
    return [(d.qualified_name, d.kind, d.start_line, d.end_line) for d in extraction.definitions]


def test_python_names_kinds_and_spans() -> None:
    found = _found(
        "m.py",
        """
        # leading comment

        @first
        @second(1)
        async def handler(x):
            def inner():
                class Local:
                    def m(self):
                        return 1
                return Local
            return inner
            # trailing comment is not part of the body


        class Outer:
            class Inner:
                @property
                def p(self):
                    return 1  # note stays: it is on the last code line

            if True:
                def cond(self):
                    pass

        key = lambda x: x
        """,
    )
    assert found == [
        ("handler", "function", 3, 11),
        ("handler.inner", "function", 6, 10),
        ("handler.inner.Local.m", "method", 8, 9),
        ("Outer.Inner.p", "method", 17, 19),
        ("Outer.cond", "method", 22, 23),
    ]


def test_csharp_names_kinds_and_spans() -> None:
    found = _found(
        "C.cs",
        """
        namespace N.M
        {
            /// <summary>Doc comments are not part of a member.</summary>
            [Attr]
            public class Box<T>
            {
                static Box() { }
                ~Box() { }
                public static Box<T> operator -(Box<T> b) => b;
                public static explicit operator string(Box<T> b) => "";
                public int P
                {
                    get => 1;
                    set { }
                }
                public int Q { get; set; }
                public int R => 2;
                public int this[int i] => i;
                public event System.Action E { add { } remove { } }
                void System.IDisposable.Dispose() { }
                public U Map<U>() { U Local() => default!; return Local(); }
                interface I { void Z(); }
                private delegate void D();
            }
        }
        """,
    )
    assert found == [
        ("Box.Box", "constructor", 7, 7),
        ("Box.~Box", "destructor", 8, 8),
        ("Box.operator -", "operator", 9, 9),
        ("Box.explicit operator string", "conversion", 10, 10),
        ("Box.P.get", "accessor", 13, 13),
        ("Box.P.set", "accessor", 14, 14),
        ("Box.R.get", "accessor", 17, 17),
        ("Box.this.get", "accessor", 18, 18),
        ("Box.E.add", "accessor", 19, 19),
        ("Box.E.remove", "accessor", 19, 19),
        ("Box.Dispose", "method", 20, 20),
        ("Box.Map", "method", 21, 21),
        ("Box.Map.Local", "local_function", 21, 21),
        ("Box.I.Z", "method", 22, 22),
    ]


def test_csharp_span_starts_at_the_attribute() -> None:
    found = _found(
        "C.cs",
        """
        class C
        {
            /// doc
            [Fact]
            [Trait("a", "b")]
            public void Test()
            {
            }
        }
        """,
    )
    assert found == [("C.Test", "method", 4, 8)]


def test_typescript_names_kinds_and_spans() -> None:
    found = _found(
        "m.ts",
        """
        /** doc */
        export function f(a: string): void;
        export function f(a: any) {
          function inner() {}
        }
        export default function () {}
        export class A {
          // comment above the decorator is excluded
          @dec()
          static m() {}
          constructor() {}
          get v() { return 1; }
          set v(x) {}
          handler = async () => {
            const helper = () => 1;
          };
          #p() {}
          [Symbol.iterator]() {}
        }
        const o = { m() { function deep() {} } };
        namespace N { export const g = function () {}; }
        interface I { m(): void; }
        """,
    )
    assert found == [
        ("f", "function", 2, 2),
        ("f", "function", 3, 5),
        ("f.inner", "function", 4, 4),
        ("default", "function", 6, 6),
        ("A.m", "method", 9, 10),
        ("A.constructor", "constructor", 11, 11),
        ("A.v.get", "accessor", 12, 12),
        ("A.v.set", "accessor", 13, 13),
        ("A.handler", "method", 14, 16),
        ("A.handler.helper", "function", 15, 15),
        ("A.#p", "method", 17, 17),
        ("A.[Symbol.iterator]", "method", 18, 18),
        ("deep", "function", 20, 20),
        ("g", "function", 21, 21),
    ]


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a.py", "python"),
        ("a.pyi", "python"),
        ("A.cs", "csharp"),
        ("a.ts", "typescript"),
        ("a.tsx", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("a.js", "javascript"),
        ("a.jsx", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("types.d.ts", None),
        ("types.d.mts", None),
        ("README.md", None),
        ("Makefile", None),
    ],
)
def test_language_by_suffix(path: str, language: str | None) -> None:
    assert language_for_path(path) == language


def test_declaration_files_and_binary_data_are_skipped() -> None:
    assert extract_definitions("index.d.ts", b"declare function f(): void;") is None
    assert extract_definitions("blob.py", b"def f():\x00\x01 pass") is None


def test_utf16_source_is_read() -> None:
    text = "class C\n{\n    void M() { }\n}\n".encode("utf-16")
    extraction = extract_definitions("C.cs", text)
    assert extraction is not None
    assert [d.qualified_name for d in extraction.definitions] == ["C.M"]


def test_parse_error_is_reported_with_recovered_definitions() -> None:
    extraction = extract_definitions("m.py", b"def ok():\n    pass\n\ndef bad(:\n    pass\n")
    assert extraction is not None
    assert extraction.has_error
    assert "ok" in [d.qualified_name for d in extraction.definitions]
