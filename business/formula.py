"""Derived fields: a small formula language, parsed by Lark and evaluated by walking the tree
(never Python's eval). It reads like a spreadsheet formula, which is what admins know:

    amount * CASE(stage, "qualify", 0.2, "propose", 0.5, "negotiate", 0.8, "won", 1, 0)
    IF(seats >= 100 AND region = "emea", "strategic", "standard")
    close_date + 30            DAYS(close_date - TODAY())        ROUND(amount / 12, 2)

Values: numbers (exact decimals), text in double quotes, TRUE / FALSE, NULL, dates (from
fields or DATE("2027-01-31")). A name is a field: a core field (amount, close_date, stage…)
or a custom field's key. Anything that can't be computed (a missing value, division by zero)
gives NULL, so a formula never stops a record from saving; the admin sees real errors (syntax,
unknown names, wrong argument counts, cycles) where they type the formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

GRAMMAR = r"""
?start: expr
?expr: or_expr
?or_expr: and_expr | or_expr _OR and_expr -> or_
?and_expr: not_expr | and_expr _AND not_expr -> and_
?not_expr: comparison | _NOT not_expr -> not_
?comparison: sum | sum COMPARE sum -> compare
?sum: product | sum ADD product -> binary
?product: unary | product MUL unary -> binary
?unary: atom | "-" unary -> negate
?atom: NUMBER -> number
     | STRING -> string
     | _TRUE -> true
     | _FALSE -> false
     | _NULL -> null
     | NAME "(" [expr ("," expr)*] ")" -> call
     | NAME -> name
     | "(" expr ")"

_OR: /or\b/i
_AND: /and\b/i
_NOT: /not\b/i
_TRUE.2: /true\b/i
_FALSE.2: /false\b/i
_NULL.2: /null\b/i
COMPARE: "<=" | ">=" | "<>" | "!=" | "=" | "<" | ">"
ADD: "+" | "-" | "&"
MUL: "*" | "/"
NAME: /[a-zA-Z_][a-zA-Z0-9_]*/
NUMBER: /\d+(\.\d+)?/
STRING: /"([^"\\]|\\.)*"/
%ignore /\s+/
"""

MAX_LENGTH = 2000


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


class FormulaError(ValueError):
    """A problem the admin can fix, with where it is (1-based column) when known."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (at character {self.column})" if self.column else self.message


@dataclass(frozen=True)
class Formula:
    source: str
    tree: Tree
    names: frozenset[str]


def _function_names() -> set[str]:
    return set(FUNCTIONS)


def parse(source: str, *, known_names: Iterable[str]) -> Formula:
    """Parses and checks a formula: syntax, names, functions and their argument counts.
    Cached: every save of a record evaluates its type's formulas, which rarely change."""
    return _parse((source or "").strip(), frozenset(known_names))


@lru_cache(maxsize=1024)
def _parse(source: str, known_names: frozenset[str]) -> Formula:
    if not source:
        raise FormulaError("Write a formula, for example amount * 0.5.")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"Keep formulas under {MAX_LENGTH} characters.")
    try:
        tree = _parser().parse(source)
    except UnexpectedCharacters as exc:
        raise FormulaError(f"Unexpected “{source[exc.pos_in_stream]}”.", exc.column) from exc
    except UnexpectedEOF as exc:
        raise FormulaError("The formula ends too early: something is missing at the end.") from exc
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise FormulaError(
                "The formula ends too early: something is missing at the end."
            ) from exc
        raise FormulaError(f"Unexpected “{exc.token}”.", exc.column) from exc
    except UnexpectedInput as exc:  # pragma: no cover - the three above are all Lark raises
        raise FormulaError("The formula can't be read.", getattr(exc, "column", None)) from exc
    known = known_names
    names: set[str] = set()
    for node in tree.iter_subtrees():
        if node.data == "name":
            token: Token = node.children[0]  # type: ignore[assignment]
            if token not in known:
                raise FormulaError(f"There is no field called “{token}”.", token.column)
            names.add(str(token))
        elif node.data == "call":
            token = node.children[0]  # type: ignore[assignment]
            function = FUNCTIONS.get(token.upper())
            if function is None:
                raise FormulaError(f"There is no function called {token}.", token.column)
            count = len(node.children) - 1
            low, high = function.arity
            if count < low or (high is not None and count > high):
                raise FormulaError(f"{token.upper()} takes {function.arity_text}.", token.column)
    return Formula(source=source, tree=tree, names=frozenset(names))


# --- evaluation ---------------------------------------------------------------------------


class _Null(Exception):
    """Raised inside evaluation when a value can't be computed: the result is NULL."""


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _Null
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict) and "amount" in value:  # a money value
        return _number(value["amount"])
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _Null from exc


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise _Null from exc
    raise _Null


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return False


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value != 0
    return bool(value)


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    if _is_date(a) and _is_date(b):
        return _date(a), _date(b)
    if isinstance(a, str) or isinstance(b, str):
        return str(a), str(b)
    return _number(a), _number(b)


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "&":
        return ("" if a is None else _text(a)) + ("" if b is None else _text(b))
    if a is None or b is None:
        raise _Null
    if op == "+":
        if _is_date(a) and not _is_date(b):
            return _date(a) + dt.timedelta(days=int(_number(b)))
        return _number(a) + _number(b)
    if op == "-":
        if _is_date(a) and _is_date(b):
            return Decimal((_date(a) - _date(b)).days)
        if _is_date(a):
            return _date(a) - dt.timedelta(days=int(_number(b)))
        return _number(a) - _number(b)
    if op == "*":
        return _number(a) * _number(b)
    if op == "/":
        divisor = _number(b)
        if divisor == 0:
            raise _Null
        return _number(a) / divisor
    raise _Null  # pragma: no cover - the grammar has no other operators


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        if op in ("=",):
            return a is None and b is None
        if op in ("<>", "!="):
            return not (a is None and b is None)
        raise _Null
    a, b = _comparable(a, b)
    return {
        "=": a == b,
        "<>": a != b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


@dataclass(frozen=True)
class Function:
    arity: tuple[int, int | None]
    lazy: bool
    run: Callable[..., Any]

    @property
    def arity_text(self) -> str:
        low, high = self.arity
        if high == low:
            return f"{low} argument{'s' if low != 1 else ''}"
        if high is None:
            return f"at least {low} arguments"
        return f"{low} to {high} arguments"


def _if(evaluate, args):  # type: ignore[no-untyped-def]
    condition = evaluate(args[0])
    if _truthy(condition):
        return evaluate(args[1])
    return evaluate(args[2]) if len(args) > 2 else None


def _case(evaluate, args):  # type: ignore[no-untyped-def]
    subject = evaluate(args[0])
    pairs = args[1:]
    for i in range(0, len(pairs) - 1, 2):
        candidate = evaluate(pairs[i])
        if subject is not None and candidate is not None and _compare("=", subject, candidate):
            return evaluate(pairs[i + 1])
    return evaluate(pairs[-1]) if len(pairs) % 2 == 1 else None


def _round(value, places=Decimal(0)):  # type: ignore[no-untyped-def]
    exponent = Decimal(1).scaleb(-int(_number(places)))
    return _number(value).quantize(exponent, rounding=ROUND_HALF_UP)


FUNCTIONS: dict[str, Function] = {
    "IF": Function((2, 3), True, _if),
    "CASE": Function((3, None), True, _case),
    "ROUND": Function((1, 2), False, _round),
    "ABS": Function((1, 1), False, lambda v: abs(_number(v))),
    "MIN": Function((1, None), False, lambda *vs: min(_number(v) for v in vs)),
    "MAX": Function((1, None), False, lambda *vs: max(_number(v) for v in vs)),
    "COALESCE": Function(
        (1, None), False, lambda *vs: next((v for v in vs if v is not None), None)
    ),
    "ISBLANK": Function((1, 1), False, lambda v: v in (None, "", [])),
    "TODAY": Function((0, 0), False, lambda: dt.date.today()),
    "DATE": Function((1, 1), False, lambda v: _date(v)),
    "DAYS": Function((1, 1), False, lambda v: _number(v)),
    "ADD_MONTHS": Function((2, 2), False, lambda d, n: _add_months(_date(d), int(_number(n)))),
    "YEAR": Function((1, 1), False, lambda d: Decimal(_date(d).year)),
    "MONTH": Function((1, 1), False, lambda d: Decimal(_date(d).month)),
    "LEN": Function((1, 1), False, lambda s: Decimal(len(_text(s)))),
    "UPPER": Function((1, 1), False, lambda s: _text(s).upper()),
    "LOWER": Function((1, 1), False, lambda s: _text(s).lower()),
    "CONTAINS": Function((2, 2), False, lambda s, part: _contains(s, part)),
}


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):  # a multi-choice value
        return needle in haystack
    return _text(needle).lower() in _text(haystack).lower()


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise _Null  # pragma: no cover


def evaluate(formula: Formula, values: Mapping[str, Any]) -> Any:
    """The formula's value for one record (`values`: field name → value), or None."""

    def walk(node: Tree | Token) -> Any:
        kind = node.data if isinstance(node, Tree) else None
        if kind == "number":
            return Decimal(str(node.children[0]))
        if kind == "string":
            raw = str(node.children[0])[1:-1]
            return raw.replace('\\"', '"').replace("\\\\", "\\")
        if kind == "true":
            return True
        if kind == "false":
            return False
        if kind == "null":
            return None
        if kind == "name":
            return values.get(str(node.children[0]))
        if kind == "negate":
            value = walk(node.children[0])
            if value is None:
                raise _Null
            return -_number(value)
        if kind == "binary":
            left, op, right = node.children
            return _binary(str(op), walk(left), walk(right))
        if kind == "compare":
            left, op, right = node.children
            return _compare(str(op), walk(left), walk(right))
        if kind == "and_":
            return _truthy(walk(node.children[0])) and _truthy(walk(node.children[1]))
        if kind == "or_":
            return _truthy(walk(node.children[0])) or _truthy(walk(node.children[1]))
        if kind == "not_":
            return not _truthy(walk(node.children[0]))
        if kind == "call":
            function = FUNCTIONS[str(node.children[0]).upper()]
            args = node.children[1:]
            if function.lazy:
                return function.run(walk, args)
            return function.run(*[walk(a) for a in args])
        raise _Null  # pragma: no cover - every node kind is handled above

    try:
        return walk(formula.tree)
    except (_Null, InvalidOperation, ArithmeticError, ValueError, TypeError, OverflowError):
        return None
    except RecursionError:  # a formula nested hundreds of parentheses deep
        return None


def dependency_order(formulas: Mapping[str, Formula]) -> list[str]:
    """The derived fields in an order where each comes after the derived fields it reads;
    FormulaError naming the loop if they read each other in a circle."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(key: str, path: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            loop = path[path.index(key) :] + [key]
            raise FormulaError(
                "These fields compute each other in a circle: " + " → ".join(loop) + "."
            )
        state[key] = "visiting"
        for name in sorted(formulas[key].names):
            if name in formulas:
                visit(name, [*path, key])
        state[key] = "done"
        order.append(key)

    for key in sorted(formulas):
        visit(key, [])
    return order
