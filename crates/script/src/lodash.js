// The `_` global of Postman's sandbox is lodash 3.10: this is the part of
// it that collections use, with lodash 3's iteratee shorthands and
// behaviour (functions lodash 3 does not have are not here either).
// Evaluated before the prelude; returns a factory of the `_` object (and,
// with `version4`, of the lodash 4 flavour that require('lodash') gives).
(function (deepEqual, version4) {
  'use strict';
  const hasOwn = (o, k) => o !== null && o !== undefined && Object.prototype.hasOwnProperty.call(o, k);
  const isObjectLike = (v) => v !== null && typeof v === 'object';
  const isArrayLike = (v) => v !== null && v !== undefined && typeof v !== 'function' && typeof v.length === 'number' && v.length >= 0;
  function toPath(path) {
    if (Array.isArray(path)) return path.map(String);
    const out = [];
    String(path).replace(/[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g, (m, num, q, str) => {
      out.push(q ? str : num !== undefined ? num : m);
      return m;
    });
    return out;
  }
  function get(obj, path, dflt) {
    if (obj === null || obj === undefined) return dflt;
    const parts = typeof path === 'string' && hasOwn(obj, path) ? [path] : toPath(path);
    let cur = obj;
    for (const p of parts) {
      if (cur === null || cur === undefined) return dflt;
      cur = cur[p];
    }
    return cur === undefined ? dflt : cur;
  }
  function has(obj, path) {
    if (obj === null || obj === undefined) return false;
    const parts = typeof path === 'string' && hasOwn(obj, path) ? [path] : toPath(path);
    let cur = obj;
    for (const p of parts) {
      if (!hasOwn(Object(cur), p) && !(Array.isArray(cur) && /^\d+$/.test(p) && Number(p) < cur.length)) return false;
      cur = cur[p];
    }
    return parts.length > 0;
  }
  function set(obj, path, value) {
    if (!isObjectLike(obj) && typeof obj !== 'function') return obj;
    const parts = toPath(path);
    let cur = obj;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!isObjectLike(cur[parts[i]])) cur[parts[i]] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      cur = cur[parts[i]];
    }
    if (parts.length) cur[parts[parts.length - 1]] = value;
    return obj;
  }
  function isMatch(obj, src) {
    if (obj === src) return true;
    if (!isObjectLike(src)) return deepEqual(obj, src);
    if (!isObjectLike(obj)) return Object.keys(src).length === 0;
    return Object.keys(src).every((k) => {
      if (!(k in Object(obj))) return false;
      const a = obj[k];
      const b = src[k];
      if (isObjectLike(b) && isObjectLike(a) && !Array.isArray(b)) return isMatch(a, b);
      if (Array.isArray(b) && Array.isArray(a)) return b.every((x) => a.some((y) => isMatch(y, x)));
      return deepEqual(a, b);
    });
  }
  // lodash 3's callbacks: a function (bound to thisArg), an object or array
  // to match, a property name — or, with a thisArg value, a property that
  // must equal it.
  function iteratee(f, thisArg) {
    if (version4) {
      if (typeof f === 'function') return f;
      if (f === null || f === undefined) return (x) => x;
      if (Array.isArray(f)) return (x) => deepEqual(get(x, f[0]), f[1]) || isMatch(get(x, f[0]), f[1]);
      if (typeof f === 'object') return (x) => isMatch(x, f);
      return (x) => get(x, f);
    }
    if (typeof f === 'function') return thisArg === undefined ? f : f.bind(thisArg);
    if (f === null || f === undefined) return (x) => x;
    if (typeof f === 'object') return (x) => isMatch(x, f);
    if (thisArg !== undefined) return (x) => x !== null && x !== undefined && deepEqual(get(x, f), thisArg);
    return (x) => get(x, f);
  }
  function entriesOf(c) {
    if (c === null || c === undefined) return [];
    if (isArrayLike(c)) return Array.from({ length: c.length }, (x, i) => [i, c[i]]);
    return Object.keys(Object(c)).map((k) => [k, c[k]]);
  }
  function valuesOf(c) {
    return entriesOf(c).map((e) => e[1]);
  }
  function each(c, f) {
    for (const [k, v] of entriesOf(c)) if (f(v, k, c) === false) break;
    return c;
  }
  const map = (c, f, t) => {
    const it = iteratee(f, t);
    return entriesOf(c).map(([k, v]) => it(v, k, c));
  };
  const filter = (c, f, t) => {
    const it = iteratee(f, t);
    return entriesOf(c).filter(([k, v]) => it(v, k, c)).map((e) => e[1]);
  };
  // lodash 4: find(collection, predicate, fromIndex); lodash 3: (…, thisArg)
  const find = (c, f, t) => {
    const it = iteratee(f, version4 ? undefined : t);
    const e = entriesOf(c)
      .slice(version4 ? t || 0 : 0)
      .find(([k, v]) => it(v, k, c));
    return e ? e[1] : undefined;
  };
  const compareValues = (a, b) => {
    if (a === b) return 0;
    if (a === undefined) return 1;
    if (b === undefined) return -1;
    if (a === null) return 1;
    if (b === null) return -1;
    return a > b ? 1 : a < b ? -1 : 0;
  };
  function orderBy(c, iteratees, orders) {
    const its = (Array.isArray(iteratees) ? iteratees : [iteratees === undefined ? undefined : iteratees]).map((f) => iteratee(f));
    const ords = Array.isArray(orders) ? orders : orders === undefined ? [] : [orders];
    return valuesOf(c)
      .map((v, i) => ({ v, i, keys: its.map((f) => f(v)) }))
      .sort((a, b) => {
        for (let j = 0; j < its.length; j++) {
          const r = compareValues(a.keys[j], b.keys[j]);
          if (r !== 0) return ords[j] === 'desc' ? -r : r;
        }
        return a.i - b.i;
      })
      .map((x) => x.v);
  }
  function baseFlatten(arr, depth) {
    const out = [];
    for (const x of arr || []) {
      if (Array.isArray(x) && depth > 0) out.push(...baseFlatten(x, depth - 1));
      else out.push(x);
    }
    return out;
  }
  function cloneDeep(v, seen) {
    if (!isObjectLike(v)) return v;
    seen = seen || new Map();
    if (seen.has(v)) return seen.get(v);
    if (v instanceof Date) return new Date(v.getTime());
    if (v instanceof RegExp) return new RegExp(v.source, v.flags);
    if (v instanceof Map) {
      const m = new Map();
      seen.set(v, m);
      v.forEach((x, k) => m.set(k, cloneDeep(x, seen)));
      return m;
    }
    if (v instanceof Set) {
      const s = new Set();
      seen.set(v, s);
      v.forEach((x) => s.add(cloneDeep(x, seen)));
      return s;
    }
    const out = Array.isArray(v) ? [] : Object.create(Object.getPrototypeOf(v));
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = cloneDeep(v[k], seen);
    return out;
  }
  function isPlainObject(v) {
    if (!isObjectLike(v) || Object.prototype.toString.call(v) !== '[object Object]') return false;
    const p = Object.getPrototypeOf(v);
    return p === null || p === Object.prototype;
  }
  function merge(target, ...sources) {
    for (const src of sources) {
      if (!isObjectLike(src)) continue;
      for (const k of Object.keys(src)) {
        const s = src[k];
        if ((isPlainObject(s) || Array.isArray(s)) && isObjectLike(target[k])) merge(target[k], s);
        else if (isPlainObject(s)) target[k] = merge({}, s);
        else if (Array.isArray(s)) target[k] = merge([], s);
        else if (s !== undefined || !hasOwn(target, k)) target[k] = s;
      }
    }
    return target;
  }
  function words(s) {
    return String(s === null || s === undefined ? '' : s)
      .replace(/([a-z\d])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .match(/[A-Za-z\d]+/g) || [];
  }
  const str = (s) => (s === null || s === undefined ? '' : String(s));
  const capitalize = (s) => {
    s = version4 ? str(s).toLowerCase() : str(s);
    return s.charAt(0).toUpperCase() + s.slice(1);
  };
  let idCounter = 0;
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const UNESC = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  const tag = (v) => Object.prototype.toString.call(v);
  const _ = {
    identity: (x) => x,
    noop: () => undefined,
    constant: (x) => () => x,
    now: () => Date.now(),
    uniqueId: (p) => str(p) + ++idCounter,
    random(lower, upper, floating) {
      if (upper === undefined || typeof upper === 'boolean') {
        floating = upper;
        upper = lower === undefined ? 1 : lower;
        lower = 0;
      }
      lower = Number(lower) || 0;
      upper = Number(upper) || 0;
      if (lower > upper) [lower, upper] = [upper, lower];
      if (floating || lower % 1 || upper % 1) return lower + Math.random() * (upper - lower);
      return lower + Math.floor(Math.random() * (upper - lower + 1));
    },
    times: (n, f) => Array.from({ length: Math.max(0, Math.floor(n) || 0) }, (x, i) => iteratee(f)(i)),
    range(start, end, step) {
      if (end === undefined) {
        end = start;
        start = 0;
      }
      step = step === undefined ? (version4 && start > end ? -1 : 1) : step;
      const out = [];
      if (step === 0) {
        for (let i = start; i < end; i++) out.push(start);
        return out;
      }
      for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(i);
      return out;
    },
    // collections
    each,
    forEach: each,
    forOwn: (o, f) => each(Object.keys(Object(o)).reduce((a, k) => ((a[k] = o[k]), a), {}), f) && o,
    forIn: (o, f) => {
      for (const k in o) if (f(o[k], k, o) === false) break;
      return o;
    },
    map,
    filter,
    reject: (c, f, t) => {
      const it = iteratee(f, t);
      return entriesOf(c).filter(([k, v]) => !it(v, k, c)).map((e) => e[1]);
    },
    find,
    findLast: (c, f) => {
      const it = iteratee(f);
      const e = entriesOf(c).reverse().find(([k, v]) => it(v, k, c));
      return e ? e[1] : undefined;
    },
    findIndex: (a, f, t) => {
      const it = iteratee(f, version4 ? undefined : t);
      for (let i = version4 ? t || 0 : 0; i < (a || []).length; i++) if (it(a[i], i, a)) return i;
      return -1;
    },
    findKey: (o, f) => {
      const it = iteratee(f);
      const e = entriesOf(o).find(([k, v]) => it(v, k, o));
      return e ? e[0] : undefined;
    },
    some: (c, f, t) => {
      const it = iteratee(f, t);
      return entriesOf(c).some(([k, v]) => it(v, k, c));
    },
    every: (c, f, t) => {
      const it = iteratee(f, t);
      return entriesOf(c).every(([k, v]) => it(v, k, c));
    },
    reduce(c, f, acc) {
      const es = entriesOf(c);
      let i = 0;
      if (arguments.length < 3) {
        if (!es.length) return undefined;
        acc = es[0][1];
        i = 1;
      }
      for (; i < es.length; i++) acc = f(acc, es[i][1], es[i][0], c);
      return acc;
    },
    includes: (c, v, from) => (typeof c === 'string' ? c.indexOf(v, from || 0) !== -1 : valuesOf(c).slice(from || 0).some((x) => x === v || (x !== x && v !== v))),
    size: (c) => (c === null || c === undefined ? 0 : isArrayLike(c) ? c.length : c instanceof Map || c instanceof Set ? c.size : Object.keys(c).length),
    groupBy: (c, f) => {
      const it = iteratee(f);
      const o = {};
      for (const v of valuesOf(c)) {
        const k = it(v);
        (hasOwn(o, k) ? o[k] : (o[k] = [])).push(v);
      }
      return o;
    },
    keyBy: (c, f) => {
      const it = iteratee(f);
      const o = {};
      for (const v of valuesOf(c)) o[it(v)] = v;
      return o;
    },
    countBy: (c, f) => {
      const it = iteratee(f);
      const o = {};
      for (const v of valuesOf(c)) {
        const k = it(v);
        o[k] = (hasOwn(o, k) ? o[k] : 0) + 1;
      }
      return o;
    },
    partition: (c, f) => {
      const it = iteratee(f);
      const out = [[], []];
      for (const v of valuesOf(c)) out[it(v) ? 0 : 1].push(v);
      return out;
    },
    sortBy: (c, ...fs) => orderBy(c, baseFlatten(fs, 1).length ? baseFlatten(fs, 1) : [undefined]),
    orderBy,
    sample: (c) => {
      const v = valuesOf(c);
      return v[Math.floor(Math.random() * v.length)];
    },
    shuffle: (c) => {
      const v = valuesOf(c);
      for (let i = v.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [v[i], v[j]] = [v[j], v[i]];
      }
      return v;
    },
    flatMap: (c, f) => baseFlatten(map(c, f), 1),
    toArray: (c) => (typeof c === 'string' ? Array.from(c) : valuesOf(c)),
    // arrays
    first: (a) => (a && a.length ? a[0] : undefined),
    head: (a) => (a && a.length ? a[0] : undefined),
    last: (a) => (a && a.length ? a[a.length - 1] : undefined),
    nth: (a, n) => (a ? a[(n || 0) < 0 ? a.length + n : n || 0] : undefined),
    tail: (a) => (a ? Array.prototype.slice.call(a, 1) : []),
    initial: (a) => (a ? Array.prototype.slice.call(a, 0, -1) : []),
    take: (a, n) => (a ? Array.prototype.slice.call(a, 0, n === undefined ? 1 : Math.max(0, n)) : []),
    takeRight: (a, n) => (a ? Array.prototype.slice.call(a, Math.max(0, a.length - (n === undefined ? 1 : n))) : []),
    drop: (a, n) => (a ? Array.prototype.slice.call(a, n === undefined ? 1 : Math.max(0, n)) : []),
    dropRight: (a, n) => (a ? Array.prototype.slice.call(a, 0, Math.max(0, a.length - (n === undefined ? 1 : n))) : []),
    chunk: (a, n) => {
      n = Math.max(Math.floor(n === undefined ? 1 : n), 0);
      const out = [];
      if (!a || n < 1) return out;
      for (let i = 0; i < a.length; i += n) out.push(Array.prototype.slice.call(a, i, i + n));
      return out;
    },
    compact: (a) => (a || []).filter(Boolean),
    concat: (a, ...rest) => [].concat(Array.isArray(a) ? a.slice() : [a], ...rest.map((x) => (Array.isArray(x) ? [x] : x)).map((x) => (Array.isArray(x) && x.length === 1 && Array.isArray(x[0]) ? x[0] : x))),
    difference: (a, ...others) => {
      const ex = baseFlatten(others, 1);
      return (a || []).filter((x) => !ex.some((y) => y === x || (x !== x && y !== y)));
    },
    without: (a, ...vals) => (a || []).filter((x) => !vals.some((y) => y === x || (x !== x && y !== y))),
    intersection: (...arrs) => {
      const [a, ...rest] = arrs.map((x) => x || []);
      return _.uniq((a || []).filter((x) => rest.every((r) => r.some((y) => y === x || (x !== x && y !== y)))));
    },
    union: (...arrs) => _.uniq(baseFlatten(arrs, 1)),
    uniq: (a) => {
      const out = [];
      for (const x of a || []) if (!out.some((y) => y === x || (x !== x && y !== y))) out.push(x);
      return out;
    },
    uniqBy: (a, f) => {
      const it = iteratee(f);
      const seen = [];
      const out = [];
      for (const x of a || []) {
        const k = it(x);
        if (!seen.some((y) => y === k || (k !== k && y !== y))) {
          seen.push(k);
          out.push(x);
        }
      }
      return out;
    },
    uniqWith: (a, cmp) => {
      const out = [];
      for (const x of a || []) if (!out.some((y) => cmp(x, y))) out.push(x);
      return out;
    },
    flatten: (a) => baseFlatten(a, 1),
    flattenDeep: (a) => baseFlatten(a, Infinity),
    zip: (...arrs) => Array.from({ length: Math.max(0, ...arrs.map((a) => (a ? a.length : 0))) }, (x, i) => arrs.map((a) => (a ? a[i] : undefined))),
    fromPairs: (ps) => (ps || []).reduce((o, p) => ((o[p[0]] = p[1]), o), {}),
    indexOf: (a, v, from) => (a ? Array.prototype.indexOf.call(a, v, from) : -1),
    lastIndexOf: (a, v) => (a ? Array.prototype.lastIndexOf.call(a, v) : -1),
    join: (a, sep) => (a ? Array.prototype.join.call(a, sep === undefined ? ',' : sep) : ''),
    reverse: (a) => (a ? a.reverse() : a),
    pull: (a, ...vals) => {
      for (let i = a.length - 1; i >= 0; i--) if (vals.some((v) => v === a[i])) a.splice(i, 1);
      return a;
    },
    remove: (a, f) => {
      const it = iteratee(f);
      const removed = [];
      for (let i = 0; i < a.length; ) {
        if (it(a[i], i, a)) removed.push(a.splice(i, 1)[0]);
        else i++;
      }
      return removed;
    },
    min: (a) => (a && a.length ? a.reduce((m, x) => (x < m ? x : m)) : undefined),
    max: (a) => (a && a.length ? a.reduce((m, x) => (x > m ? x : m)) : undefined),
    minBy: (a, f) => {
      const it = iteratee(f);
      return a && a.length ? a.reduce((m, x) => (it(x) < it(m) ? x : m)) : undefined;
    },
    maxBy: (a, f) => {
      const it = iteratee(f);
      return a && a.length ? a.reduce((m, x) => (it(x) > it(m) ? x : m)) : undefined;
    },
    sum: (a) => (a || []).reduce((s, x) => (x === undefined ? s : s + x), 0),
    sumBy: (a, f) => {
      const it = iteratee(f);
      return (a || []).reduce((s, x) => s + it(x), 0);
    },
    mean: (a) => (a && a.length ? _.sum(a) / a.length : NaN),
    // objects
    keys: (o) => (o === null || o === undefined ? [] : isArrayLike(o) ? Array.from({ length: o.length }, (x, i) => String(i)) : Object.keys(Object(o))),
    values: valuesOf,
    entries: (o) => Object.entries(Object(o)),
    toPairs: (o) => Object.entries(Object(o)),
    has,
    get,
    set,
    unset: (o, path) => {
      const parts = toPath(path);
      const parent = parts.length > 1 ? get(o, parts.slice(0, -1)) : o;
      if (isObjectLike(parent)) delete parent[parts[parts.length - 1]];
      return true;
    },
    pick: (o, ...paths) => {
      const out = {};
      for (const p of baseFlatten(paths, 1)) if (has(o, p)) set(out, p, get(o, p));
      return out;
    },
    pickBy: (o, f) => {
      const it = iteratee(f);
      const out = {};
      for (const [k, v] of entriesOf(o)) if (it(v, k)) out[k] = v;
      return out;
    },
    omit: (o, ...paths) => {
      const drop = baseFlatten(paths, 1).map(String);
      const out = {};
      for (const k of Object.keys(Object(o))) if (drop.indexOf(k) === -1) out[k] = o[k];
      return out;
    },
    omitBy: (o, f) => {
      const it = iteratee(f);
      const out = {};
      for (const [k, v] of entriesOf(o)) if (!it(v, k)) out[k] = v;
      return out;
    },
    assign: (t, ...s) => Object.assign(t, ...s),
    extend: (t, ...s) => {
      for (const src of s) for (const k in src) t[k] = src[k];
      return t;
    },
    merge,
    defaults: (t, ...s) => {
      for (const src of s) for (const k of Object.keys(Object(src))) if (t[k] === undefined) t[k] = src[k];
      return t;
    },
    mapValues: (o, f) => {
      const it = iteratee(f);
      const out = {};
      for (const [k, v] of entriesOf(o)) out[k] = it(v, k, o);
      return out;
    },
    mapKeys: (o, f) => {
      const it = iteratee(f);
      const out = {};
      for (const [k, v] of entriesOf(o)) out[it(v, k, o)] = v;
      return out;
    },
    invert: (o) => {
      const out = {};
      for (const k of Object.keys(Object(o))) out[o[k]] = k;
      return out;
    },
    clone: (v) => (Array.isArray(v) ? v.slice() : isObjectLike(v) ? Object.assign(Object.create(Object.getPrototypeOf(v)), v) : v),
    cloneDeep: (v) => cloneDeep(v),
    isEqual: (a, b) => deepEqual(a, b),
    isMatch,
    matches: (src) => (x) => isMatch(x, src),
    property: (p) => (x) => get(x, p),
    // lang
    isArray: Array.isArray,
    isArrayLike,
    isObject: (v) => v !== null && (typeof v === 'object' || typeof v === 'function'),
    isObjectLike,
    isPlainObject,
    isString: (v) => typeof v === 'string' || tag(v) === '[object String]',
    isNumber: (v) => typeof v === 'number' || tag(v) === '[object Number]',
    isBoolean: (v) => v === true || v === false || tag(v) === '[object Boolean]',
    isFunction: (v) => typeof v === 'function',
    isNull: (v) => v === null,
    isUndefined: (v) => v === undefined,
    isNil: (v) => v === null || v === undefined,
    isNaN: (v) => (typeof v === 'number' || tag(v) === '[object Number]') && Number(v) !== Number(v),
    isInteger: Number.isInteger,
    isSafeInteger: Number.isSafeInteger,
    isFinite: Number.isFinite,
    isDate: (v) => tag(v) === '[object Date]',
    isRegExp: (v) => tag(v) === '[object RegExp]',
    isError: (v) => v instanceof Error,
    isEmpty: (v) => {
      if (v === null || v === undefined) return true;
      if (isArrayLike(v)) return v.length === 0;
      if (v instanceof Map || v instanceof Set) return v.size === 0;
      if (typeof v === 'object') return Object.keys(v).length === 0;
      return true;
    },
    castArray: (...a) => (a.length === 0 ? [] : Array.isArray(a[0]) ? a[0] : [a[0]]),
    toNumber: (v) => (typeof v === 'symbol' ? NaN : Number(v)),
    toInteger: (v) => {
      const n = Number(v);
      return n !== n ? 0 : n === Infinity ? Number.MAX_VALUE : n === -Infinity ? -Number.MAX_VALUE : Math.trunc(n);
    },
    toString: (v) => (v === null || v === undefined ? '' : Object.is(v, -0) ? '-0' : Array.isArray(v) ? v.map((x) => _.toString(x)).join(',') : String(v)),
    // strings
    capitalize,
    upperFirst: (s) => str(s).charAt(0).toUpperCase() + str(s).slice(1),
    lowerFirst: (s) => str(s).charAt(0).toLowerCase() + str(s).slice(1),
    toLower: (s) => str(s).toLowerCase(),
    toUpper: (s) => str(s).toUpperCase(),
    trim: (s, chars) => (chars === undefined ? str(s).trim() : str(s).replace(new RegExp('^[' + chars.replace(/[\]\\^-]/g, '\\$&') + ']+|[' + chars.replace(/[\]\\^-]/g, '\\$&') + ']+$', 'g'), '')),
    trimStart: (s) => str(s).replace(/^\s+/, ''),
    trimEnd: (s) => str(s).replace(/\s+$/, ''),
    startsWith: (s, t, p) => str(s).startsWith(t, p),
    endsWith: (s, t, p) => str(s).endsWith(t, p),
    pad: (s, n, c) => {
      s = str(s);
      c = c === undefined ? ' ' : c;
      const total = Math.max(0, (n || 0) - s.length);
      const left = Math.floor(total / 2);
      return ''.padStart(left, c) + s + ''.padEnd(total - left, c);
    },
    padStart: (s, n, c) => str(s).padStart(n || 0, c === undefined ? ' ' : c),
    padEnd: (s, n, c) => str(s).padEnd(n || 0, c === undefined ? ' ' : c),
    repeat: (s, n) => str(s).repeat(Math.max(0, Math.floor(n === undefined ? 1 : n))),
    replace: (s, p, r) => str(s).replace(p, r),
    split: (s, sep, limit) => str(s).split(sep, limit),
    words,
    camelCase: (s) =>
      words(s)
        .map((w, i) => {
          w = w.toLowerCase();
          return i ? w.charAt(0).toUpperCase() + w.slice(1) : w;
        })
        .join(''),
    kebabCase: (s) => words(s).map((w) => w.toLowerCase()).join('-'),
    snakeCase: (s) => words(s).map((w) => w.toLowerCase()).join('_'),
    startCase: (s) => words(s).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' '),
    escape: (s) => str(s).replace(/[&<>"']/g, (c) => ESC[c]),
    unescape: (s) => str(s).replace(/&(?:amp|lt|gt|quot|#39);/g, (c) => UNESC[c]),
  };
  _.contains = _.includes;
  _.zipObject = (props, vals) => {
    const o = {};
    (props || []).forEach((p, i) => {
      if (Array.isArray(p) && !version4) o[p[0]] = p[1];
      else if (!Array.isArray(p)) o[p] = vals ? vals[i] : undefined;
    });
    return o;
  };
  if (version4) {
    // require('lodash') in Postman is lodash 4.
    _.entries = _.toPairs;
    _.VERSION = '4.17.21';
    return Object.freeze(_);
  }
  _.each = each;
  _.rest = _.tail;
  _.indexBy = _.keyBy;
  _.pairs = (o) => Object.keys(Object(o)).map((k) => [k, o[k]]);
  _.padLeft = (s, n, c) => str(s).padStart(n || 0, c === undefined ? ' ' : c);
  _.padRight = (s, n, c) => str(s).padEnd(n || 0, c === undefined ? ' ' : c);
  _.trimLeft = _.trimStart;
  _.trimRight = _.trimEnd;
  _.object = _.zipObject;
  _.sortByAll = (c, ...fs) => orderBy(c, baseFlatten(fs, 1));
  _.sortByOrder = (c, fs, orders) => orderBy(c, fs, (orders || []).map((o) => (o === false || o === 'desc' ? 'desc' : 'asc')));
  // lodash 3: sortBy takes one iteratee (an array is a [key, value] match).
  _.sortBy = (c, f) => orderBy(c, [f]);
  _.max = (c, f) => {
    const it = iteratee(f);
    const v = valuesOf(c);
    if (!v.length) return -Infinity;
    return v.reduce((m, x) => (it(x) > it(m) ? x : m));
  };
  _.min = (c, f) => {
    const it = iteratee(f);
    const v = valuesOf(c);
    if (!v.length) return Infinity;
    return v.reduce((m, x) => (it(x) < it(m) ? x : m));
  };
  _.sum = (c, f) => {
    const it = iteratee(f);
    return valuesOf(c).reduce((s, x) => s + (+it(x) || 0), 0);
  };
  // lodash 3: uniq(array, [isSorted], [iteratee])
  const uniqBy = _.uniqBy;
  _.uniq = (a, sorted, f) => (typeof sorted === 'boolean' ? uniqBy(a, f) : uniqBy(a, sorted));
  _.flatten = (a, deep) => baseFlatten(a, deep ? Infinity : 1);
  // lodash 3: pick/omit take keys (no paths) or a predicate.
  _.pick = (o, ...args) => {
    const out = {};
    if (o === null || o === undefined) return out;
    if (typeof args[0] === 'function') {
      for (const k in o) if (args[0](o[k], k, o)) out[k] = o[k];
      return out;
    }
    for (const k of baseFlatten(args, 1).map(String)) if (k in Object(o)) out[k] = o[k];
    return out;
  };
  _.omit = (o, ...args) => {
    const out = {};
    if (o === null || o === undefined) return out;
    const dropIt = typeof args[0] === 'function' ? (k) => args[0](o[k], k, o) : ((ks) => (k) => ks.indexOf(k) !== -1)(baseFlatten(args, 1).map(String));
    for (const k in o) if (!dropIt(k)) out[k] = o[k];
    return out;
  };
  for (const name of ['keyBy', 'flatMap', 'uniqBy', 'uniqWith', 'fromPairs', 'join', 'minBy', 'maxBy', 'sumBy', 'mean', 'toPairs', 'entries', 'pickBy',
    'omitBy', 'isNil', 'castArray', 'toNumber', 'toInteger', 'toString', 'upperFirst', 'lowerFirst', 'toLower', 'toUpper', 'padStart', 'padEnd',
    'replace', 'split', 'concat', 'nth', 'orderBy', 'isObjectLike', 'isArrayLike', 'isSafeInteger', 'isInteger', 'trimStart', 'trimEnd', 'unset']) {
    delete _[name];
  }
  _.VERSION = '3.10.2';
  return Object.freeze(_);
});
