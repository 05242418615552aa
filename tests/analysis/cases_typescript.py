"""Labelled TypeScript changes; the plain-JavaScript ones also run as .js files."""

from dataclasses import replace
from textwrap import dedent

from tests.analysis.corpus import Case, case

P = "src/cart.ts"

BASE = """
    import { log } from "./log";

    /** Totals a list. */
    export function total(items: number[]): number {
      return items.reduce((a, b) => a + b, 0);
    }

    export class Cart {
      private items: number[] = [];
      static count = 0;

      constructor(private readonly owner: string) {
        Cart.count++;
      }

      get size(): number {
        return this.items.length;
      }

      set size(value: number) {
        this.items.length = value;
      }

      @logged
      add(item: number): void {
        this.items.push(item);
      }

      onClear = () => {
        const reset = () => [];
        this.items = reset();
      };

      #secret(): string {
        return this.owner;
      }

      *[Symbol.iterator]() {
        yield* this.items;
      }
    }

    export const format = (n: number) => `${n}`;
"""


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new)


TS_CASES = [
    case(
        "function body edit",
        BASE,
        edit("a + b, 0", "a + b, 1"),
        "modified total",
        path=P,
        kinds={"total": "function"},
    ),
    case(
        "method edit",
        BASE,
        edit("this.items.push(item);", "this.items.unshift(item);"),
        "modified Cart.add",
        path=P,
        kinds={"Cart.add": "method"},
    ),
    case(
        "constructor edit",
        BASE,
        edit("Cart.count++;", "Cart.count += 1;"),
        "modified Cart.constructor",
        path=P,
        kinds={"Cart.constructor": "constructor"},
    ),
    case(
        "getter edit leaves the setter alone",
        BASE,
        edit("return this.items.length;", "return this.items.length | 0;"),
        "modified Cart.size.get",
        path=P,
        kinds={"Cart.size.get": "accessor"},
    ),
    case(
        "setter edit",
        BASE,
        edit("this.items.length = value;", "this.items.length = Math.max(0, value);"),
        "modified Cart.size.set",
        path=P,
    ),
    case(
        "decorator is part of the method",
        BASE,
        edit("@logged", "@logged()"),
        "modified Cart.add",
        path=P,
    ),
    case(
        "arrow function in a class field and the helper inside it",
        BASE,
        edit("const reset = () => [];", "const reset = () => [0];"),
        "modified Cart.onClear",
        "modified Cart.onClear.reset",
        path=P,
    ),
    case(
        "private method keeps the hash",
        BASE,
        edit("return this.owner;", "return this.owner.trim();"),
        "modified Cart.#secret",
        path=P,
    ),
    case(
        "computed name uses its source text",
        BASE,
        edit("yield* this.items;", "yield* [...this.items];"),
        "modified Cart.[Symbol.iterator]",
        path=P,
    ),
    case(
        "const arrow function",
        BASE,
        edit("(n: number) => `${n}`", "(n: number) => `${n}!`"),
        "modified format",
        path=P,
    ),
    case(
        "leading comment and field edits change nothing",
        BASE,
        edit("/** Totals a list. */", "/** Sums a list. */").replace(
            "static count = 0;", "static count = 1;"
        ),
        path=P,
    ),
    case(
        "methods swapped",
        """
        class A {
          one() { return 1; }
          two() { return 2; }
        }
        """,
        """
        class A {
          two() { return 2; }
          one() { return 1; }
        }
        """,
        path=P,
    ),
    case("whitespace only", BASE, dedent(BASE).replace("\n", "   \r\n"), path=P),
    case(
        "class renamed",
        "class A {\n  m() { return 1; }\n}\n",
        "class B {\n  m() { return 1; }\n}\n",
        "deleted A.m",
        "added B.m",
        path=P,
    ),
    case(
        "overload signature added",
        """
        function parse(x: string): number;
        function parse(x: any) { return Number(x); }
        """,
        """
        function parse(x: string): number;
        function parse(x: number): number;
        function parse(x: any) { return Number(x); }
        """,
        "modified parse",
        path=P,
    ),
    case(
        "export assignment is not a default export",
        "export = function () { return 1; };\n",
        "export = function () { return 2; };\n",
        path=P,
    ),
    case(
        "declare function",
        "declare function native(x: number): void;\n",
        "declare function native(x: string): void;\n",
        "modified native",
        path=P,
    ),
    case(
        "method overloads in a class",
        """
        class A {
          get(k: string): string;
          get(k: number): string;
          get(k: any) { return String(k); }
        }
        """,
        """
        class A {
          get(k: string): string;
          get(k: any) { return String(k); }
        }
        """,
        "modified A.get",
        path=P,
        kinds={"A.get": "method"},
    ),
    case(
        "abstract members",
        """
        abstract class Shape {
          abstract area(): number;
          protected abstract get name(): string;
        }
        """,
        """
        abstract class Shape {
          abstract area(precision: number): number;
          protected abstract get name(): string;
        }
        """,
        "modified Shape.area",
        path=P,
    ),
    case(
        "namespace adds nothing",
        "namespace Util {\n  export function pad(s: string) { return s; }\n}\n",
        "namespace Util {\n  export function pad(s: string) { return ` ${s}`; }\n}\n",
        "modified pad",
        path=P,
    ),
    case(
        "interface edits change nothing",
        "interface Shape {\n  area(): number;\n}\n",
        "interface Shape {\n  area(precision: number): number;\n}\n",
        path=P,
    ),
    case(
        "wrapped arrow is not a definition",
        "export const Item = memo(() => <li />);\n",
        "export const Item = memo(() => <li>x</li>);\n",
        path="src/item.tsx",
    ),
    case(
        "component in tsx",
        """
        export const Item = ({ name }: Props) => {
          return <li>{name}</li>;
        };
        """,
        """
        export const Item = ({ name }: Props) => {
          return <li className="item">{name}</li>;
        };
        """,
        "modified Item",
        path="src/item.tsx",
    ),
    case(
        "export added is a modifier of the definition",
        "function helper() { return 1; }\n",
        "export function helper() { return 1; }\n",
        "modified helper",
        path=P,
    ),
    case(
        "syntax error keeps the rest",
        "function a() { return 1; }\nfunction b() { return 2; }\n",
        "function a() { return (1; }\nfunction b() { return 2; }\n",
        "modified a",
        path=P,
        parse_error=True,
    ),
    case(
        "type-only edits inside a signature count",
        "export function id<T>(x: T): T { return x; }\n",
        "export function id<T extends object>(x: T): T { return x; }\n",
        "modified id",
        path=P,
    ),
]

# Plain JavaScript: these run as TypeScript and again as .js files.
JS_CASES = [
    case(
        "default export without a name",
        "export default function () { return 1; }\n",
        "export default function () { return 2; }\n",
        "modified default",
        path=P,
    ),
    case(
        "let with a parenthesised function expression",
        "let handler = (function () { return 1; });\n",
        "let handler = (function () { return 2; });\n",
        "modified handler",
        path=P,
    ),
    case(
        "var with a function expression and a second declarator",
        "var a = function () { return 1; }, b = 2;\n",
        "var a = function () { return 3; }, b = 2;\n",
        "modified a",
        path=P,
    ),
    case(
        "nested function declaration",
        "function outer() {\n  function inner() { return 1; }\n  return inner();\n}\n",
        "function outer() {\n  function inner() { return 2; }\n  return inner();\n}\n",
        "modified outer",
        "modified outer.inner",
        path=P,
    ),
    case(
        "helper inside a method",
        "class A {\n  m() {\n    const helper = () => 1;\n    return helper();\n  }\n}\n",
        "class A {\n  m() {\n    const helper = () => 2;\n    return helper();\n  }\n}\n",
        "modified A.m",
        "modified A.m.helper",
        path=P,
    ),
    case(
        "function inside an anonymous callback",
        "describe('cart', () => {\n  function build() { return 1; }\n});\n",
        "describe('cart', () => {\n  function build() { return 2; }\n});\n",
        "modified build",
        path=P,
    ),
    case(
        "object literal methods are not reported but inner functions are",
        """
        const api = {
          get() {
            function inner() { return 1; }
            return inner();
          },
          x: () => 1,
        };
        """,
        """
        const api = {
          get() {
            function inner() { return 2; }
            return inner();
          },
          x: () => 2,
        };
        """,
        "modified inner",
        path=P,
    ),
    case(
        "generator function declaration",
        "function* ids() { yield 1; }\n",
        "function* ids() { yield 2; }\n",
        "modified ids",
        path=P,
    ),
    case(
        "static async method",
        "class A {\n  static async load() { return 1; }\n}\n",
        "class A {\n  static async load() { return 2; }\n}\n",
        "modified A.load",
        path=P,
    ),
    case(
        "class field with a function expression",
        "class A {\n  handler = function () { return 1; };\n}\n",
        "class A {\n  handler = function () { return 2; };\n}\n",
        "modified A.handler",
        path=P,
    ),
    case(
        "function renamed",
        "function a() { return 1; }\n",
        "function b() { return 1; }\n",
        "deleted a",
        "added b",
        path=P,
    ),
    case(
        "function moved below another",
        "function a() { return 1; }\n\nfunction b() { return 2; }\n",
        "function b() { return 2; }\n\nfunction a() { return 1; }\n",
        path=P,
    ),
    case(
        "assignment to a property is not a definition",
        "module.exports.run = function () { return 1; };\n",
        "module.exports.run = function () { return 2; };\n",
        path=P,
    ),
    case(
        "getter and setter pair both edited",
        "class A {\n  get v() { return 1; }\n  set v(x) { this.x = x; }\n}\n",
        "class A {\n  get v() { return 2; }\n  set v(x) { this.x = x + 1; }\n}\n",
        "modified A.v.get",
        "modified A.v.set",
        path=P,
    ),
    case(
        "class in a function",
        "function make() {\n  class Local {\n    m() { return 1; }\n  }\n  return Local;\n}\n",
        "function make() {\n  class Local {\n    m() { return 2; }\n  }\n  return Local;\n}\n",
        "modified make",
        "modified make.Local.m",
        path=P,
    ),
    case(
        "comment added above a function changes nothing",
        "function a() { return 1; }\n",
        "// Returns one.\nfunction a() { return 1; }\n",
        path=P,
    ),
    case(
        "file deleted",
        "export function a() {}\nexport class B { m() {} }\n",
        None,
        "deleted a",
        "deleted B.m",
        path=P,
    ),
]

JS_CASES += [
    case(
        "jsx component function",
        "export function Button({ label }) {\n  return <button>{label}</button>;\n}\n",
        "export function Button({ label }) {\n  return <button type=\"button\">{label}</button>;\n}\n",  # noqa: E501
        "modified Button",
        path="src/button.jsx",
    ),
    case(
        "private field with an arrow function",
        "class A {\n  #onTick = () => 1;\n}\n",
        "class A {\n  #onTick = () => 2;\n}\n",
        "modified A.#onTick",
        path=P,
    ),
    case(
        "static block adds nothing to names",
        "class A {\n  static {\n    function boot() { return 1; }\n  }\n}\n",
        "class A {\n  static {\n    function boot() { return 2; }\n  }\n}\n",
        "modified A.boot",
        path=P,
    ),
    case(
        "function inside an IIFE",
        "(function () {\n  function setup() { return 1; }\n  setup();\n})();\n",
        "(function () {\n  function setup() { return 2; }\n  setup();\n})();\n",
        "modified setup",
        path=P,
    ),
    case(
        "prototype assignment is not a definition",
        "Cart.prototype.add = function (x) { return x; };\n",
        "Cart.prototype.add = function (x) { return x + 1; };\n",
        path=P,
    ),
    case(
        "async arrow function",
        "export const load = async (url) => {\n  return fetch(url);\n};\n",
        "export const load = async (url) => {\n  return fetch(url, { cache: 'no-store' });\n};\n",
        "modified load",
        path=P,
    ),
    case(
        "anonymous default class",
        "export default class {\n  run() { return 1; }\n}\n",
        "export default class {\n  run() { return 2; }\n}\n",
        "modified default.run",
        path=P,
    ),
    case(
        "named function expression takes the variable name",
        "const handler = function inner() { return 1; };\n",
        "const handler = function inner() { return 2; };\n",
        "modified handler",
        path=P,
    ),
    case(
        "arrow inside an arrow",
        "const outer = () => {\n  const inner = () => 1;\n  return inner;\n};\n",
        "const outer = () => {\n  const inner = () => 2;\n  return inner;\n};\n",
        "modified outer",
        "modified outer.inner",
        path=P,
    ),
    case(
        "string-named method",
        "class A {\n  'do it'() { return 1; }\n}\n",
        "class A {\n  'do it'() { return 2; }\n}\n",
        "modified A.do it",
        path=P,
    ),
    case(
        "arrow function turned into a call result",
        "const f = () => 1;\n",
        "const f = make(() => 1);\n",
        "deleted f",
        path=P,
    ),
    case(
        "method added between two others",
        "class A {\n  a() {}\n  c() {}\n}\n",
        "class A {\n  a() {}\n  b() {}\n  c() {}\n}\n",
        "added A.b",
        path=P,
    ),
    case(
        "class methods moved into another class",
        "class A {\n  m() { return 1; }\n}\nclass B {}\n",
        "class A {}\nclass B {\n  m() { return 1; }\n}\n",
        "deleted A.m",
        "added B.m",
        path=P,
    ),
    case(
        "file added",
        None,
        "export function start() { return 0; }\nexport const stop = () => {};\n",
        "added start",
        "added stop",
        path=P,
    ),
]

JS_CASES.append(
    case(
        "a brace moved between two edits nests the functions in between",
        """
        function a() {
          for (;;) {
            x();
          }
          return 1;
        }
        function b() { return 2; }
        function c() {
          if (y) {
            z();
          }
        }
        """,
        """
        function a() {
          for (;;) {
            x();
          if (y) {
            z();
          }
          return 1;
        }
        function b() { return 2; }
        function c() {
          }
        }
        """,
        "modified a",
        "deleted b",
        "deleted c",
        "added a.b",
        "added a.c",
        path=P,
    )
)

CASES: list[Case] = [*TS_CASES, *JS_CASES]


def javascript_cases() -> list[Case]:
    """The plain-JavaScript cases again, as .js, .mjs and .jsx files."""
    suffixes = [".js", ".mjs", ".cjs", ".jsx"]
    out = []
    for index, item in enumerate(JS_CASES):
        suffix = suffixes[index % len(suffixes)]
        out.append(replace(item, path=item.path.rsplit(".", 1)[0] + suffix))
    return out
