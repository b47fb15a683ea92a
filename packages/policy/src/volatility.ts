// Is a DEFAULT expression volatile? PostgreSQL 11+ adds a column with a non-volatile default without
// rewriting the table (the value is computed once and kept in the catalog); a volatile default
// (random(), gen_random_uuid(), clock_timestamp(), nextval(), any function it cannot prove stable)
// is computed per row, which rewrites the table under ACCESS EXCLUSIVE.
import { as, funcName, typeOf } from './ast.js';
import { NON_VOLATILE_FUNCTIONS } from './data/non-volatile-functions.js';

export interface Volatility {
  volatile: boolean;
  /** What made it volatile: a function name, or a construct metamig cannot judge. */
  because?: string;
}

const STABLE: Volatility = { volatile: false };

export function volatility(expr: unknown): Volatility {
  const t = typeOf(expr);
  switch (t) {
    case undefined:
    case 'A_Const':
    case 'SQLValueFunction': // CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER …: stable
    case 'ColumnRef':
    case 'ParamRef':
      return STABLE;
    case 'TypeCast':
      return volatility(as(expr, 'TypeCast')!.arg);
    case 'CollateClause':
      return volatility(as(expr, 'CollateClause')!.arg);
    case 'FuncCall': {
      const f = as(expr, 'FuncCall')!;
      const { name, schema } = funcName(f.funcname);
      if ((schema !== undefined && schema !== 'pg_catalog') || !NON_VOLATILE_FUNCTIONS.has(name)) {
        return { volatile: true, because: `${schema ? `${schema}.` : ''}${name}()` };
      }
      return all(f.args);
    }
    case 'A_Expr': {
      const e = as(expr, 'A_Expr')!;
      const l = volatility(e.lexpr);
      if (l.volatile) return l;
      const r = e.rexpr;
      return Array.isArray(r) ? all(r) : typeOf(r) === 'List' ? all(as(r, 'List')!.items) : volatility(r);
    }
    case 'BoolExpr':
      return all(as(expr, 'BoolExpr')!.args);
    case 'NullTest':
      return volatility(as(expr, 'NullTest')!.arg);
    case 'BooleanTest':
      return volatility(as(expr, 'BooleanTest')!.arg);
    case 'CoalesceExpr':
      return all(as(expr, 'CoalesceExpr')!.args);
    case 'MinMaxExpr':
      return all(as(expr, 'MinMaxExpr')!.args);
    case 'A_ArrayExpr':
      return all(as(expr, 'A_ArrayExpr')!.elements);
    case 'RowExpr':
      return all(as(expr, 'RowExpr')!.args);
    case 'List':
      return all(as(expr, 'List')!.items);
    case 'CaseExpr': {
      const c = as(expr, 'CaseExpr')!;
      const parts: unknown[] = [c.arg, c.defresult];
      for (const w of c.args ?? []) {
        const cw = as(w, 'CaseWhen');
        if (cw) parts.push(cw.expr, cw.result);
      }
      return all(parts);
    }
    default:
      return { volatile: true, because: `a ${t} expression` };
  }
}

function all(list: readonly unknown[] | undefined): Volatility {
  for (const x of list ?? []) {
    const v = volatility(x);
    if (v.volatile) return v;
  }
  return STABLE;
}
