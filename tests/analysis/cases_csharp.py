"""Labelled C# changes."""

from textwrap import dedent

from tests.analysis.corpus import case

P = "src/Shop/Cart.cs"

BASE = """
    using System;
    using System.Collections.Generic;

    namespace Shop.Core
    {
        /// <summary>A cart.</summary>
        [Serializable]
        public partial class Cart<T> : IDisposable where T : class
        {
            private readonly List<T> _items = new();
            public event EventHandler? Changed;

            static Cart() { Log("static"); }

            public Cart() { Log("new"); }

            ~Cart() { Log("gone"); }

            /// <summary>Adds.</summary>
            [Obsolete]
            public void Add(T item)
            {
                _items.Add(item);
            }

            public void Add(T item, int count)
            {
                for (var i = 0; i < count; i++) { Add(item); }
            }

            public int Count
            {
                get { return _items.Count; }
                private set { Log("set"); }
            }

            public string Name { get; init; } = "";

            public bool IsEmpty => _items.Count == 0;

            public T this[int index]
            {
                get => _items[index];
                set => _items[index] = value;
            }

            public event EventHandler Cleared
            {
                add { Changed += value; }
                remove { Changed -= value; }
            }

            public static Cart<T> operator +(Cart<T> cart, T item) { cart.Add(item); return cart; }

            public static implicit operator int(Cart<T> cart) => cart.Count;

            void IDisposable.Dispose() { _items.Clear(); }

            public abstract int Weigh(T item);

            private static extern int Native(int x);

            public int Total()
            {
                int Square(int x) => x * x;
                return Square(Count);
            }

            private static void Log(string message) { }
        }
    }
"""


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new)


CASES = [
    case(
        "method body edit",
        BASE,
        edit("_items.Add(item);", "_items.Insert(0, item);"),
        "modified Cart.Add",
        path=P,
        kinds={"Cart.Add": "method"},
    ),
    case(
        "overload edit is one entry",
        BASE,
        edit("i < count; i++", "i < count; ++i"),
        "modified Cart.Add",
        path=P,
    ),
    case(
        "overload added",
        BASE,
        edit(
            "            public int Count\n",
            "            public void Add() { }\n\n            public int Count\n",
        ),
        "modified Cart.Add",
        path=P,
    ),
    case(
        "static constructor collapses with the instance constructor",
        BASE,
        edit('Log("static")', 'Log("type")'),
        "modified Cart.Cart",
        path=P,
        kinds={"Cart.Cart": "constructor"},
    ),
    case(
        "destructor",
        BASE,
        edit('Log("gone")', 'Log("finalised")'),
        "modified Cart.~Cart",
        path=P,
        kinds={"Cart.~Cart": "destructor"},
    ),
    case(
        "getter edit leaves the setter alone",
        BASE,
        edit("get { return _items.Count; }", "get { return _items.Count + 0; }"),
        "modified Cart.Count.get",
        path=P,
        kinds={"Cart.Count.get": "accessor"},
    ),
    case(
        "setter modifier is part of the accessor",
        BASE,
        edit('private set { Log("set"); }', 'protected set { Log("set"); }'),
        "modified Cart.Count.set",
        path=P,
    ),
    case(
        "auto-property turned into a full one",
        BASE,
        edit(
            'public string Name { get; init; } = "";',
            'public string Name { get { return "n"; } init { Log(value); } }',
        ),
        "added Cart.Name.get",
        "added Cart.Name.init",
        path=P,
    ),
    case(
        "expression-bodied property",
        BASE,
        edit("_items.Count == 0;", "_items.Count < 1;"),
        "modified Cart.IsEmpty.get",
        path=P,
    ),
    case(
        "indexer accessors",
        BASE,
        edit("set => _items[index] = value;", "set => _items.Insert(index, value);"),
        "modified Cart.this.set",
        path=P,
    ),
    case(
        "event accessors",
        BASE,
        edit("remove { Changed -= value; }", "remove { Changed -= value; Log(\"-\"); }"),
        "modified Cart.Cleared.remove",
        path=P,
    ),
    case(
        "operator",
        BASE,
        edit("cart.Add(item); return cart;", "cart.Add(item, 1); return cart;"),
        "modified Cart.operator +",
        path=P,
        kinds={"Cart.operator +": "operator"},
    ),
    case(
        "conversion",
        BASE,
        edit("=> cart.Count;", "=> cart.Count * 1;"),
        "modified Cart.implicit operator int",
        path=P,
        kinds={"Cart.implicit operator int": "conversion"},
    ),
    case(
        "explicit interface implementation uses the method name",
        BASE,
        edit("_items.Clear(); }", "_items.Clear(); Log(\"x\"); }"),
        "modified Cart.Dispose",
        path=P,
    ),
    case(
        "abstract method signature",
        BASE,
        edit("public abstract int Weigh(T item);", "public abstract int Weigh(T item, int n);"),
        "modified Cart.Weigh",
        path=P,
    ),
    case(
        "extern method",
        BASE,
        edit("extern int Native(int x);", "extern int Native(long x);"),
        "modified Cart.Native",
        path=P,
    ),
    case(
        "local function",
        BASE,
        edit("int Square(int x) => x * x;", "int Square(int x) => x * x * 1;"),
        "modified Cart.Total",
        "modified Cart.Total.Square",
        path=P,
        kinds={"Cart.Total.Square": "local_function"},
    ),
    case(
        "field, field-like event and auto-property edits change nothing",
        BASE,
        edit("new();", "new(16);")
        .replace("public event EventHandler? Changed;", "internal event EventHandler? Changed;")
        .replace('init; } = "";', 'init; } = "x";'),
        path=P,
    ),
    case(
        "doc comment and blank lines change nothing",
        BASE,
        edit("/// <summary>Adds.</summary>", "/// <summary>Adds one item.</summary>\n"),
        path=P,
    ),
    case(
        "attribute is part of the method",
        BASE,
        edit("[Obsolete]", '[Obsolete("use Insert")]'),
        "modified Cart.Add",
        path=P,
    ),
    case(
        "namespace and class header edits change nothing",
        BASE,
        edit("namespace Shop.Core", "namespace Shop.Basket").replace(
            "where T : class", "where T : class, new()"
        ),
        path=P,
    ),
    case(
        "methods swapped",
        BASE,
        edit(
            "            private static void Log(string message) { }\n",
            "",
        ).replace(
            "            static Cart()",
            "            private static void Log(string message) { }\n\n            static Cart()",
        ),
        path=P,
    ),
    case("whitespace only", BASE, dedent(BASE).replace("\n", "  \r\n"), path=P),
    case(
        "method renamed",
        BASE,
        edit("public int Total()", "public int Sum()"),
        "deleted Cart.Total",
        "deleted Cart.Total.Square",
        "added Cart.Sum",
        "added Cart.Sum.Square",
        path=P,
    ),
    case(
        "class renamed",
        """
        class Old
        {
            public Old() { }
            void M() { }
        }
        """,
        """
        class New
        {
            public New() { }
            void M() { }
        }
        """,
        "deleted Old.Old",
        "deleted Old.M",
        "added New.New",
        "added New.M",
        path=P,
    ),
    case(
        "nested types and nested local functions",
        """
        namespace A.B;

        public class Outer
        {
            public struct Inner
            {
                public int M()
                {
                    int One() { int Two() => 2; return Two(); }
                    return One();
                }
            }
        }
        """,
        """
        namespace A.B;

        public class Outer
        {
            public struct Inner
            {
                public int M()
                {
                    int One() { int Two() => 3; return Two(); }
                    return One();
                }
            }
        }
        """,
        "modified Outer.Inner.M",
        "modified Outer.Inner.M.One",
        "modified Outer.Inner.M.One.Two",
        path=P,
    ),
    case(
        "interface members and a default body",
        """
        public interface IShape
        {
            double Area();
            string Name { get; }
            string Describe() { return Name; }
        }
        """,
        """
        public interface IShape
        {
            double Area(int precision);
            string Name { get; }
            string Describe() { return Name + "!"; }
        }
        """,
        "modified IShape.Area",
        "modified IShape.Describe",
        path=P,
    ),
    case(
        "lambda and delegate edits only modify the method",
        """
        public class C
        {
            public delegate int D(int x);
            public int M(int[] xs) => xs.Select(x => x + 1).Sum();
        }
        """,
        """
        public class C
        {
            public delegate long D(int x);
            public int M(int[] xs) => xs.Select(x => x + 2).Sum();
        }
        """,
        "modified C.M",
        path=P,
    ),
    case(
        "partial method declaration and implementation collapse",
        """
        public partial class P
        {
            partial void OnSaved();
            partial void OnSaved() { Log(1); }
        }
        """,
        """
        public partial class P
        {
            partial void OnSaved();
            partial void OnSaved() { Log(2); }
        }
        """,
        "modified P.OnSaved",
        path=P,
    ),
    case(
        "record and generic method",
        """
        public record Point(int X, int Y)
        {
            public T Map<T>(Func<Point, T> f) => f(this);
        }
        """,
        """
        public record Point(int X, int Y)
        {
            public T Map<T>(Func<Point, T> map) => map(this);
        }
        """,
        "modified Point.Map",
        path=P,
    ),
    case(
        "local function inside a lambda",
        """
        class C
        {
            void M()
            {
                Run(() => { int Inner() => 1; Use(Inner()); });
            }
        }
        """,
        """
        class C
        {
            void M()
            {
                Run(() => { int Inner() => 2; Use(Inner()); });
            }
        }
        """,
        "modified C.M",
        "modified C.M.Inner",
        path=P,
    ),
    case(
        "accessor added to an expression-bodied property",
        """
        class C
        {
            int P => 1;
        }
        """,
        """
        class C
        {
            int P { get => 1; set { } }
        }
        """,
        "modified C.P.get",
        "added C.P.set",
        path=P,
    ),
    case(
        "syntax error keeps the rest",
        """
        class C
        {
            void A() { Go(); }
            void B() { Stop(); }
        }
        """,
        """
        class C
        {
            void A() { Go(; }
            void B() { Stop(); }
        }
        """,
        "modified C.A",
        path=P,
        parse_error=True,
    ),
    case(
        "method added and deleted in a file renamed",
        "class C\n{\n    void A() { }\n    void B() { }\n    void X() { }\n}\n",
        "class C\n{\n    void A() { }\n    void B() { }\n    void Y() { }\n}\n",
        "deleted C.X",
        "added C.Y",
        path="src/Old.cs",
        after_path="src/New.cs",
    ),
    case(
        "top-level statements with a local function",
        """
        var x = Twice(2);
        int Twice(int v) => v * 2;
        """,
        """
        var x = Twice(2);
        int Twice(int v) => v + v;
        """,
        "modified Twice",
        path=P,
    ),
    case(
        "preprocessor branches of one method collapse",
        """
        class C
        {
        #if NET8_0
            void M() { A(); }
        #else
            void M() { B(); }
        #endif
        }
        """,
        """
        class C
        {
        #if NET8_0
            void M() { A(); }
        #else
            void M() { C(); }
        #endif
        }
        """,
        "modified C.M",
        path=P,
    ),
    case(
        "file with a byte order mark",
        "\ufeffclass C\n{\n    void M() { A(); }\n}\n",
        "\ufeffclass C\n{\n    void M() { B(); }\n}\n",
        "modified C.M",
        path=P,
    ),
]
