// The `pm` API of pre-request and test scripts, evaluated once per engine.
// Everything lives inside this function; only the frozen `__portico` bridge
// object (called by the Rust side) and the documented sandbox globals
// (console, atob, btoa, setTimeout, clearTimeout) are put on the global object.
(function (G) {
  'use strict';
  const jsonStringify = JSON.stringify;
  const jsonParse = JSON.parse;
  const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const toTag = (v) => Object.prototype.toString.call(v).slice(8, -1);

  // ---------------------------------------------------------------- inspect
  const IDENT = /^[A-Za-z_$][A-Za-z_0-9$]*$/;
  function quote(s) {
    return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + "'";
  }
  function consoleInspect(v, depth, seen) {
    if (depth === undefined) depth = 2;
    seen = seen || [];
    switch (typeof v) {
      case 'string': return quote(v);
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return String(v) + 'n';
      case 'boolean': return String(v);
      case 'undefined': return 'undefined';
      case 'symbol': return v.toString();
      case 'function': return v.name ? '[Function ' + v.name + ']' : '[Function (anonymous)]';
    }
    if (v === null) return 'null';
    if (seen.indexOf(v) !== -1) return '[Circular]';
    const tag = toTag(v);
    if (tag === 'Date') return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (tag === 'RegExp') return String(v);
    if (tag === 'Error' || v instanceof Error) return (v.name || 'Error') + (v.message ? ': ' + v.message : '');
    if (v instanceof Response) return 'response';
    if (depth < 0) return Array.isArray(v) ? '[Array]' : '[Object]';
    seen = seen.concat([v]);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[ ' + v.map((x) => consoleInspect(x, depth - 1, seen)).join(', ') + ' ]';
    }
    if (tag === 'Map') {
      if (v.size === 0) return 'Map{}';
      const parts = [];
      v.forEach((val, key) => parts.push(consoleInspect(key, depth - 1, seen) + ' => ' + consoleInspect(val, depth - 1, seen)));
      return 'Map{ ' + parts.join(', ') + ' }';
    }
    if (tag === 'Set') {
      if (v.size === 0) return 'Set{}';
      const parts = [];
      v.forEach((val) => parts.push(consoleInspect(val, depth - 1, seen)));
      return 'Set{ ' + parts.join(', ') + ' }';
    }
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    return '{ ' + keys.map((k) => (IDENT.test(k) ? k : quote(k)) + ': ' + consoleInspect(v[k], depth - 1, seen)).join(', ') + ' }';
  }
  // chai's inspect (loupe 2 with chai's truncate threshold of 40), so that
  // failure messages read as newman prints them.
  const ELL = '\u2026';
  const TRUNCATE = 40;
  function truncate(string, length) {
    string = String(string);
    const tl = ELL.length;
    const sl = string.length;
    if (tl > length && sl > tl) return ELL;
    if (sl > length && sl > tl) return string.slice(0, length - tl) + ELL;
    return string;
  }
  function inspectList(list, options, inspectItem, separator) {
    if (separator === undefined) separator = ', ';
    inspectItem = inspectItem || loupe;
    const size = list.length;
    if (size === 0) return '';
    const originalLength = options.truncate;
    let output = '';
    let peek = '';
    let truncated = '';
    for (let i = 0; i < size; i += 1) {
      const last = i + 1 === list.length;
      const secondToLast = i + 2 === list.length;
      truncated = ELL + '(' + (list.length - i) + ')';
      const value = list[i];
      options.truncate = originalLength - output.length - (last ? 0 : separator.length);
      const string = peek || inspectItem(value, options) + (last ? '' : separator);
      const nextLength = output.length + string.length;
      const truncatedLength = nextLength + truncated.length;
      if (last && nextLength > originalLength && output.length + truncated.length <= originalLength) break;
      if (!last && !secondToLast && truncatedLength > originalLength) break;
      peek = last ? '' : inspectItem(list[i + 1], options) + (secondToLast ? '' : separator);
      if (!last && secondToLast && truncatedLength > originalLength && nextLength + peek.length > originalLength) break;
      output += string;
      if (!last && !secondToLast && nextLength + peek.length >= originalLength) {
        truncated = ELL + '(' + (list.length - i - 1) + ')';
        break;
      }
      truncated = '';
    }
    return output + truncated;
  }
  function quoteComplexKey(key) {
    if (/^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key)) return key;
    return jsonStringify(key).replace(/'/g, "\\'").replace(/\\"/g, '"').replace(/(^"|"$)/g, "'");
  }
  function inspectProperty(pair, options) {
    let key = pair[0];
    options.truncate -= 2;
    if (typeof key === 'string') key = quoteComplexKey(key);
    else if (typeof key !== 'number') key = '[' + loupe(key, options) + ']';
    options.truncate -= key.length;
    return key + ': ' + loupe(pair[1], options);
  }
  function inspectObjectBody(object, options) {
    const properties = Object.getOwnPropertyNames(object);
    const symbols = Object.getOwnPropertySymbols(object);
    if (properties.length === 0 && symbols.length === 0) return '{}';
    options.truncate -= 4;
    if (options.seen.indexOf(object) >= 0) return '[Circular]';
    options.seen.push(object);
    const props = inspectList(properties.map((k) => [k, object[k]]), options, inspectProperty);
    const syms = inspectList(symbols.map((k) => [k, object[k]]), options, inspectProperty);
    options.seen.pop();
    return '{ ' + props + (props && syms ? ', ' : '') + syms + ' }';
  }
  const STRING_ESCAPES = /['\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]/g;
  const ESCAPE_MAP = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', "'": "\\'", '\\': '\\\\' };
  const ERROR_KEYS = ['stack', 'line', 'column', 'name', 'message', 'fileName', 'lineNumber', 'columnNumber', 'number', 'description'];
  const INSPECTORS = {
    undefined: () => 'undefined',
    null: () => 'null',
    boolean: (v) => String(v),
    Boolean: (v) => String(v),
    number: inspectNumber,
    Number: inspectNumber,
    bigint: (v, o) => {
      const t = truncate(v.toString(), o.truncate - 1);
      return t !== ELL ? t + 'n' : t;
    },
    string: inspectString,
    String: inspectString,
    function: inspectFunction,
    Function: inspectFunction,
    symbol: (v) => (v.description ? 'Symbol(' + v.description + ')' : 'Symbol()'),
    Array: (array, options) => {
      const extra = Object.keys(array).slice(array.length);
      if (!array.length && !extra.length) return '[]';
      options.truncate -= 4;
      const items = inspectList(array, options);
      options.truncate -= items.length;
      const props = extra.length ? inspectList(extra.map((k) => [k, array[k]]), options, inspectProperty) : '';
      return '[ ' + items + (props ? ', ' + props : '') + ' ]';
    },
    Date: (d, options) => {
      const json = d.toJSON();
      if (json === null) return 'Invalid Date';
      const parts = json.split('T');
      return parts[0] + 'T' + truncate(parts[1], options.truncate - parts[0].length - 1);
    },
    Map: (map, options) => {
      if (map.size - 1 <= 0) return 'Map{}';
      options.truncate -= 7;
      const entries = [];
      map.forEach((v, k) => entries.push([k, v]));
      return 'Map{ ' + inspectList(entries, options, (e, o) => {
        o.truncate -= 4;
        const k = loupe(e[0], o);
        o.truncate -= k.length;
        return k + ' => ' + loupe(e[1], o);
      }) + ' }';
    },
    Set: (set, options) => {
      if (set.size === 0) return 'Set{}';
      options.truncate -= 7;
      return 'Set{ ' + inspectList(Array.from(set), options) + ' }';
    },
    RegExp: (re, options) => {
      const flags = re.toString().split('/')[2];
      return '/' + truncate(re.source, options.truncate - (2 + flags.length)) + '/' + flags;
    },
    WeakSet: () => 'WeakSet{…}',
    WeakMap: () => 'WeakMap{…}',
    Arguments: (args, options) => {
      if (args.length === 0) return 'Arguments[]';
      options.truncate -= 13;
      return 'Arguments[ ' + inspectList(args, options) + ' ]';
    },
    Error: (e, options) => {
      const props = Object.getOwnPropertyNames(e).filter((k) => ERROR_KEYS.indexOf(k) === -1);
      const name = e.name;
      options.truncate -= name.length;
      let message = '';
      if (typeof e.message === 'string') message = truncate(e.message, options.truncate);
      else props.unshift('message');
      message = message ? ': ' + message : '';
      options.truncate -= message.length + 5;
      const body = inspectList(props.map((k) => [k, e[k]]), options, inspectProperty);
      return name + message + (body ? ' { ' + body + ' }' : '');
    },
  };
  function inspectNumber(n, options) {
    if (Number.isNaN(n)) return 'NaN';
    if (n === Infinity) return 'Infinity';
    if (n === -Infinity) return '-Infinity';
    if (n === 0) return 1 / n === Infinity ? '+0' : '-0';
    return truncate(n, options.truncate);
  }
  function inspectString(s, options) {
    s = String(s).replace(STRING_ESCAPES, (c) => ESCAPE_MAP[c] || '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4));
    return "'" + truncate(s, options.truncate - 2) + "'";
  }
  function inspectFunction(f, options) {
    const name = f.name;
    return name ? '[Function ' + truncate(name, options.truncate - 11) + ']' : '[Function]';
  }
  function loupe(v, options) {
    let type = v === null ? 'null' : typeof v;
    if (type === 'object') type = toTag(v);
    if (hasOwn(INSPECTORS, type)) return INSPECTORS[type](v, options);
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return inspectObjectBody(v, options);
    if ('constructor' in v && v.constructor !== Object) {
      let name = (Symbol.toStringTag in v && v[Symbol.toStringTag]) || (typeof v.constructor === 'function' && v.constructor.name) || '';
      if (!name || name === '_class') name = '<Anonymous Class>';
      options.truncate -= name.length;
      return name + inspectObjectBody(v, options);
    }
    return inspectObjectBody(v, options);
  }
  function inspect(v) {
    try {
      return loupe(v, { truncate: TRUNCATE, seen: [] });
    } catch (e) {
      return String(typeof v);
    }
  }
  // chai's objDisplay: shortens what is still long after inspect.
  function display(v) {
    const s = inspect(v);
    if (s.length >= TRUNCATE) {
      const tag = Object.prototype.toString.call(v);
      if (tag === '[object Function]') return v.name ? '[Function: ' + v.name + ']' : '[Function]';
      if (tag === '[object Array]') return '[ Array(' + v.length + ') ]';
      if (tag === '[object Object]') {
        const keys = Object.keys(v);
        return '{ Object (' + (keys.length > 2 ? keys.slice(0, 2).join(', ') + ', ...' : keys.join(', ')) + ') }';
      }
    }
    return s;
  }
  function typeName(v) {
    if (v === null) return 'null';
    if (v === undefined) return 'undefined';
    return toTag(v).toLowerCase();
  }

  // ------------------------------------------------------------- deep equal
  function deepEqual(a, b, seen) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (typeof a === 'number' && typeof b === 'number') return a !== a && b !== b;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
      if (typeof a === 'function' || typeof b === 'function') return false;
      return false;
    }
    const ta = toTag(a);
    if (ta !== toTag(b)) return false;
    if (ta === 'Date') return a.getTime() === b.getTime() || (isNaN(a.getTime()) && isNaN(b.getTime()));
    if (ta === 'RegExp') return String(a) === String(b);
    if (ta === 'String' || ta === 'Number' || ta === 'Boolean') return deepEqual(a.valueOf(), b.valueOf());
    seen = seen || [];
    for (let i = 0; i < seen.length; i++) if (seen[i][0] === a && seen[i][1] === b) return true;
    seen = seen.concat([[a, b]]);
    if (ta === 'Array' || ArrayBuffer.isView(a)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], seen)) return false;
      return true;
    }
    if (ta === 'Set') {
      if (a.size !== b.size) return false;
      const bs = Array.from(b);
      for (const x of a) if (!bs.some((y) => deepEqual(x, y, seen))) return false;
      return true;
    }
    if (ta === 'Map') {
      if (a.size !== b.size) return false;
      for (const [k, x] of a) if (!b.has(k) || !deepEqual(x, b.get(k), seen)) return false;
      return true;
    }
    const ka = [];
    for (const k in a) ka.push(k);
    const kb = [];
    for (const k in b) kb.push(k);
    if (ka.length !== kb.length) return false;
    ka.sort();
    kb.sort();
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
    for (let i = 0; i < ka.length; i++) if (!deepEqual(a[ka[i]], b[ka[i]], seen)) return false;
    return true;
  }

  // --------------------------------------------------------------- chai
  class AssertionError extends Error {
    constructor(message) {
      super(message);
      this.name = 'AssertionError';
    }
  }

  // Like chai, an assertion is wrapped in a Proxy: a misspelt property
  // (`to.be.undefinedd`) throws instead of passing silently.
  function Assertion(obj, message) {
    this.__flags = { object: obj, message: message };
    return new Proxy(this, proxyHandler);
  }
  const PROXY_EXCLUDED = ['then', 'catch', 'inspect', 'toJSON'];
  const proxyHandler = {
    get(target, property, receiver) {
      if (typeof property === 'string' && PROXY_EXCLUDED.indexOf(property) === -1 && !Reflect.has(target, property)) {
        throw Error(invalidProperty(target, property));
      }
      return Reflect.get(target, property, receiver);
    },
  };
  function stringDistanceCapped(a, b, cap) {
    if (Math.abs(a.length - b.length) >= cap) return cap;
    const memo = [];
    for (let i = 0; i <= a.length; i++) {
      memo[i] = Array(b.length + 1).fill(0);
      memo[i][0] = i;
    }
    for (let j = 0; j < b.length; j++) memo[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      const ch = a.charCodeAt(i - 1);
      for (let j = 1; j <= b.length; j++) {
        if (Math.abs(i - j) >= cap) {
          memo[i][j] = cap;
          continue;
        }
        memo[i][j] = Math.min(memo[i - 1][j] + 1, memo[i][j - 1] + 1, memo[i - 1][j - 1] + (ch === b.charCodeAt(j - 1) ? 0 : 1));
      }
    }
    return memo[a.length][b.length];
  }
  function invalidProperty(target, property) {
    let suggestion = null;
    let distance = 4;
    const names = Object.getOwnPropertyNames(target);
    for (let proto = Object.getPrototypeOf(target); proto !== null; proto = Object.getPrototypeOf(proto)) {
      for (const n of Object.getOwnPropertyNames(proto)) if (names.indexOf(n) === -1) names.push(n);
    }
    for (const n of names) {
      if (hasOwn(Object.prototype, n) || n === '__flags') continue;
      const d = stringDistanceCapped(property, n, distance);
      if (d < distance) {
        suggestion = n;
        distance = d;
      }
    }
    return suggestion !== null ? 'Invalid Chai property: ' + property + '. Did you mean "' + suggestion + '"?' : 'Invalid Chai property: ' + property;
  }
  const AP = Assertion.prototype;
  function flag(a, name, value) {
    if (arguments.length > 2) a.__flags[name] = value;
    return a.__flags[name];
  }
  function fmtMsg(a, msg, exp, act) {
    const f = a.__flags;
    if (act === NO_ACTUAL) act = f.object;
    msg = msg
      .replace(/#\{this\}/g, () => display(f.object))
      .replace(/#\{exp\}/g, () => display(exp))
      .replace(/#\{act\}/g, () => display(act));
    return f.message ? f.message + ': ' + msg : msg;
  }
  // chai's assert: `#{act}` is the object under test unless an actual value is given.
  const NO_ACTUAL = {};
  function check(a, ok, msg, negMsg, exp, act) {
    const neg = !!a.__flags.negate;
    if (neg ? ok : !ok) throw new AssertionError(fmtMsg(a, neg ? negMsg : msg, exp, arguments.length > 5 ? act : NO_ACTUAL));
  }
  function fail(a, msg) {
    throw new AssertionError(fmtMsg(a, msg, undefined, NO_ACTUAL));
  }
  function getter(name, fn) {
    Object.defineProperty(AP, name, { get: fn, configurable: true });
  }
  function method(names, fn) {
    names.forEach((n) => Object.defineProperty(AP, n, { value: fn, configurable: true, writable: true }));
  }
  // A chainable method: usable as a property (sets a flag) and as a call.
  function chainable(names, fn, onProperty) {
    names.forEach((n) =>
      getter(n, function () {
        if (onProperty) onProperty.call(this);
        const self = this;
        const f = function () {
          return fn.apply(self, arguments);
        };
        Object.setPrototypeOf(f, self);
        return f;
      }),
    );
  }
  ['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at', 'of', 'same', 'but', 'does', 'still', 'also'].forEach((n) =>
    getter(n, function () {
      return this;
    }),
  );
  [['not', 'negate'], ['deep', 'deep'], ['nested', 'nested'], ['own', 'own'], ['ordered', 'ordered'], ['any', 'any'], ['all', 'all']].forEach(([n, f]) =>
    getter(n, function () {
      flag(this, f, true);
      if (f === 'any') flag(this, 'all', false);
      if (f === 'all') flag(this, 'any', false);
      return this;
    }),
  );

  const isResp = (a) => a.__flags.object instanceof Response;

  getter('ok', function () {
    if (isResp(this)) return statusIs(this);
    check(this, !!flag(this, 'object'), 'expected #{this} to be truthy', 'expected #{this} to be falsy');
    return this;
  });
  getter('true', function () {
    check(this, flag(this, 'object') === true, 'expected #{this} to be true', 'expected #{this} to be false');
    return this;
  });
  getter('false', function () {
    check(this, flag(this, 'object') === false, 'expected #{this} to be false', 'expected #{this} to be true');
    return this;
  });
  getter('null', function () {
    check(this, flag(this, 'object') === null, 'expected #{this} to be null', 'expected #{this} not to be null');
    return this;
  });
  getter('undefined', function () {
    check(this, flag(this, 'object') === undefined, 'expected #{this} to be undefined', 'expected #{this} not to be undefined');
    return this;
  });
  getter('NaN', function () {
    check(this, Number.isNaN(flag(this, 'object')), 'expected #{this} to be NaN', 'expected #{this} not to be NaN');
    return this;
  });
  getter('finite', function () {
    const o = flag(this, 'object');
    check(this, typeof o === 'number' && isFinite(o), 'expected #{this} to be a finite number', 'expected #{this} to not be a finite number');
    return this;
  });
  function existFn() {
    const o = flag(this, 'object');
    check(this, o !== null && o !== undefined, 'expected #{this} to exist', 'expected #{this} to not exist');
    return this;
  }
  getter('exist', existFn);
  getter('exists', existFn);
  getter('empty', function () {
    const o = flag(this, 'object');
    let n;
    const t = typeName(o);
    if (t === 'string' || t === 'array') n = o.length;
    else if (t === 'map' || t === 'set') n = o.size;
    else if (typeof o === 'function') fail(this, '.empty was passed a function ' + (o.name || ''));
    else if (o !== null && typeof o === 'object') n = Object.keys(o).length;
    else fail(this, '.empty was passed non-string primitive ' + inspect(o));
    check(this, n === 0, 'expected #{this} to be empty', 'expected #{this} not to be empty');
    return this;
  });

  chainable(['a', 'an'], function (type) {
    type = String(type).toLowerCase();
    const article = 'aeiou'.indexOf(type.charAt(0)) !== -1 ? 'an ' : 'a ';
    check(this, typeName(flag(this, 'object')) === type, 'expected #{this} to be ' + article + type, 'expected #{this} not to be ' + article + type);
    return this;
  });

  function includeFn(val) {
    const obj = flag(this, 'object');
    const deep = !!flag(this, 'deep');
    const descriptor = deep ? 'deep ' : '';
    const t = typeName(obj);
    let included;
    switch (t) {
      case 'string':
        included = obj.indexOf(val) !== -1;
        break;
      case 'array':
        included = deep ? obj.some((x) => deepEqual(x, val)) : obj.indexOf(val) !== -1;
        break;
      case 'set':
        included = deep ? Array.from(obj).some((x) => deepEqual(x, val)) : obj.has(val);
        break;
      case 'map':
        included = Array.from(obj.values()).some((x) => (deep ? deepEqual(x, val) : x === val));
        break;
      default: {
        if (val !== Object(val)) {
          fail(this, 'the given combination of arguments (' + t + ' and ' + typeName(val) + ') is invalid for this assertion. ' +
            'You can use an array, a map, an object, a set, a string, or a weakset instead of a ' + typeName(val));
        }
        const props = Object.keys(val);
        const negate = !!flag(this, 'negate');
        let firstErr = null;
        let errs = 0;
        for (const p of props) {
          const pa = new Assertion(obj, flag(this, 'message'));
          Object.assign(pa.__flags, this.__flags, { object: obj });
          if (!negate || props.length === 1) {
            pa.property(p, val[p]);
            continue;
          }
          try {
            pa.property(p, val[p]);
          } catch (e) {
            if (!(e instanceof AssertionError)) throw e;
            if (firstErr === null) firstErr = e;
            errs++;
          }
        }
        if (negate && props.length > 1 && errs === props.length) throw firstErr;
        return this;
      }
    }
    check(this, included, 'expected #{this} to ' + descriptor + 'include ' + inspect(val), 'expected #{this} to not ' + descriptor + 'include ' + inspect(val));
    return this;
  }
  chainable(['include', 'includes', 'contain', 'contains'], includeFn, function () {
    flag(this, 'contains', true);
  });

  function parsePath(path) {
    const parts = [];
    String(path).replace(/\\([.[\]])/g, '$1').split('.').forEach((seg) => {
      const re = /([^[\]]+)|\[(\d+)\]/g;
      let m;
      while ((m = re.exec(seg)) !== null) parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
    });
    return parts;
  }
  function pathInfo(obj, path) {
    const parts = parsePath(path);
    let cur = obj;
    for (let i = 0; i < parts.length; i++) {
      if (cur === null || cur === undefined) return { exists: false, value: undefined };
      const key = parts[i];
      if (i === parts.length - 1) return { exists: key in Object(cur), value: cur[key] };
      cur = cur[key];
    }
    return { exists: false, value: undefined };
  }
  function propertyFn(name, val) {
    const obj = flag(this, 'object');
    const nested = !!flag(this, 'nested');
    const own = !!flag(this, 'own');
    const deep = !!flag(this, 'deep');
    const negate = !!flag(this, 'negate');
    if (obj === null || obj === undefined) fail(this, 'Target cannot be null or undefined.');
    let has;
    let value;
    if (nested) {
      const info = pathInfo(obj, name);
      has = info.exists;
      value = info.value;
    } else {
      has = own ? hasOwn(Object(obj), name) : name in Object(obj);
      value = obj[name];
    }
    const descriptor = (deep ? 'deep ' : '') + (own ? 'own ' : '') + (nested ? 'nested ' : '') + 'property ';
    if (!negate || arguments.length === 1) {
      check(this, has, 'expected #{this} to have ' + descriptor + inspect(name), 'expected #{this} to not have ' + descriptor + inspect(name));
    }
    if (arguments.length > 1) {
      check(this, has && (deep ? deepEqual(val, value) : val === value),
        'expected #{this} to have ' + descriptor + inspect(name) + ' of #{exp}, but got #{act}',
        'expected #{this} to not have ' + descriptor + inspect(name) + ' of #{act}', val, value);
    }
    flag(this, 'object', value);
    return this;
  }
  method(['property'], propertyFn);
  method(['ownProperty', 'haveOwnProperty'], function () {
    flag(this, 'own', true);
    return propertyFn.apply(this, arguments);
  });
  method(['nestedProperty'], function () {
    flag(this, 'nested', true);
    return propertyFn.apply(this, arguments);
  });

  // The length (or size, for maps and sets) of the object under test; like
  // chai, anything else must have a `length` property.
  function measure(a) {
    const o = flag(a, 'object');
    const t = typeName(o);
    if (t === 'map' || t === 'set') return { descriptor: 'size', count: o.size };
    const pa = new Assertion(o, flag(a, 'message'));
    pa.to.have.property('length');
    return { descriptor: 'length', count: o.length };
  }
  chainable(['length', 'lengthOf'], function (n) {
    const m = measure(this);
    // chai compares with ==
    check(this, m.count == n, 'expected #{this} to have a ' + m.descriptor + ' of #{exp} but got #{act}', 'expected #{this} to not have a ' + m.descriptor + ' of #{act}', n, m.count);
    return this;
  }, function () {
    flag(this, 'doLength', true);
  });

  function msgPrefix(a) {
    const m = flag(a, 'message');
    return m ? m + ': ' : '';
  }
  function printObj(o) {
    return typeof o === 'string' ? "'" + o + "'" : String(o);
  }
  // chai's argument checks of above/least/below/most.
  function checkOrder(a, n, name) {
    const obj = flag(a, 'object');
    const doLength = flag(a, 'doLength');
    const objType = typeName(obj);
    const nType = typeName(n);
    if (doLength && objType !== 'map' && objType !== 'set') new Assertion(obj, flag(a, 'message')).to.have.property('length');
    let error = null;
    if (!doLength && objType === 'date' && nType !== 'date') error = 'the argument to ' + name + ' must be a date';
    else if (nType !== 'number' && (doLength || objType === 'number')) error = 'the argument to ' + name + ' must be a number';
    else if (!doLength && objType !== 'date' && objType !== 'number') error = 'expected ' + printObj(obj) + ' to be a number or a date';
    if (error !== null) throw new AssertionError(msgPrefix(a) + error);
  }
  function compare(names, test, word, negWord) {
    method(names, function (n) {
      checkOrder(this, n, names[0] === 'greaterThan' ? 'above' : names[0]);
      if (flag(this, 'doLength')) {
        const obj = flag(this, 'object');
        const t = typeName(obj);
        const descriptor = t === 'map' || t === 'set' ? 'size' : 'length';
        const count = descriptor === 'size' ? obj.size : obj.length;
        check(this, test(count, n), 'expected #{this} to have a ' + descriptor + ' ' + word + ' #{exp} but got #{act}', 'expected #{this} to not have a ' + descriptor + ' ' + word + ' #{exp}', n, count);
      } else {
        check(this, test(flag(this, 'object'), n), 'expected #{this} to be ' + word + ' #{exp}', 'expected #{this} to be ' + negWord + ' #{exp}', n);
      }
      return this;
    });
  }
  compare(['above', 'gt', 'greaterThan'], (v, n) => v > n, 'above', 'at most');
  compare(['least', 'gte', 'greaterThanOrEqual'], (v, n) => v >= n, 'at least', 'below');
  compare(['below', 'lt', 'lessThan'], (v, n) => v < n, 'below', 'at least');
  compare(['most', 'lte', 'lessThanOrEqual'], (v, n) => v <= n, 'at most', 'above');
  method(['within'], function (start, finish) {
    const obj = flag(this, 'object');
    const doLength = flag(this, 'doLength');
    const objType = typeName(obj);
    const startType = typeName(start);
    const finishType = typeName(finish);
    if (doLength && objType !== 'map' && objType !== 'set') new Assertion(obj, flag(this, 'message')).to.have.property('length');
    let error = null;
    if (!doLength && objType === 'date' && (startType !== 'date' || finishType !== 'date')) error = 'the arguments to within must be dates';
    else if ((startType !== 'number' || finishType !== 'number') && (doLength || objType === 'number')) error = 'the arguments to within must be numbers';
    else if (!doLength && objType !== 'date' && objType !== 'number') error = 'expected ' + printObj(obj) + ' to be a number or a date';
    if (error !== null) throw new AssertionError(msgPrefix(this) + error);
    const range = objType === 'date' ? start.toISOString() + '..' + finish.toISOString() : start + '..' + finish;
    if (doLength) {
      const descriptor = objType === 'map' || objType === 'set' ? 'size' : 'length';
      const count = descriptor === 'size' ? obj.size : obj.length;
      check(this, count >= start && count <= finish, 'expected #{this} to have a ' + descriptor + ' within ' + range, 'expected #{this} to not have a ' + descriptor + ' within ' + range);
    } else {
      check(this, obj >= start && obj <= finish, 'expected #{this} to be within ' + range, 'expected #{this} to not be within ' + range);
    }
    return this;
  });
  method(['closeTo', 'approximately'], function (expected, delta) {
    const v = flag(this, 'object');
    new Assertion(v, flag(this, 'message')).is.a('number');
    if (typeof expected !== 'number' || typeof delta !== 'number') {
      throw new AssertionError(msgPrefix(this) + 'the arguments to closeTo or approximately must be numbers' + (delta === undefined ? ', and a delta is required' : ''));
    }
    check(this, Math.abs(v - expected) <= delta, 'expected #{this} to be close to ' + expected + ' +/- ' + delta, 'expected #{this} not to be close to ' + expected + ' +/- ' + delta);
    return this;
  });

  method(['equal', 'equals', 'eq'], function (val) {
    if (flag(this, 'deep')) return this.eql(val);
    const obj = flag(this, 'object');
    check(this, val === obj, 'expected #{this} to equal #{exp}', 'expected #{this} to not equal #{exp}', val, obj);
    return this;
  });
  method(['eql', 'eqls'], function (val) {
    const obj = flag(this, 'object');
    check(this, deepEqual(val, obj), 'expected #{this} to deeply equal #{exp}', 'expected #{this} to not deeply equal #{exp}', val, obj);
    return this;
  });
  method(['match', 'matches'], function (re) {
    const obj = flag(this, 'object');
    check(this, re.exec(obj) !== null, 'expected #{this} to match ' + re, 'expected #{this} not to match ' + re);
    return this;
  });
  method(['string'], function (str) {
    const obj = flag(this, 'object');
    if (typeof obj !== 'string') fail(this, 'expected #{this} to be a string');
    check(this, obj.indexOf(str) !== -1, 'expected #{this} to contain ' + inspect(str), 'expected #{this} to not contain ' + inspect(str));
    return this;
  });
  method(['oneOf'], function (list) {
    const obj = flag(this, 'object');
    const ok = flag(this, 'deep') ? list.some((x) => deepEqual(x, obj)) : list.indexOf(obj) !== -1;
    check(this, ok, 'expected #{this} to be one of #{exp}', 'expected #{this} to not be one of #{exp}', list, obj);
    return this;
  });
  method(['instanceof', 'instanceOf'], function (ctor) {
    const obj = flag(this, 'object');
    let ok;
    try {
      ok = obj instanceof ctor;
    } catch (e) {
      fail(this, 'The instanceof assertion needs a constructor but ' + inspect(ctor) + ' was given.');
    }
    const name = (ctor && ctor.name) || 'an unnamed constructor';
    check(this, ok, 'expected #{this} to be an instance of ' + name, 'expected #{this} to not be an instance of ' + name);
    return this;
  });
  method(['satisfy', 'satisfies'], function (fn) {
    const obj = flag(this, 'object');
    const r = fn(obj);
    check(this, !!r, 'expected #{this} to satisfy ' + display(fn), 'expected #{this} to not satisfy' + display(fn), !flag(this, 'negate'), r);
    return this;
  });
  method(['keys', 'key'], function (keys) {
    const obj = flag(this, 'object');
    const objType = toTag(obj);
    const keysType = toTag(keys);
    const deep = !!flag(this, 'deep');
    const mixed = msgPrefix(this) + 'when testing keys against an object or an array you must give a single Array|Object|String argument or multiple String arguments';
    let actual;
    let deepStr = '';
    if (objType === 'Map' || objType === 'Set') {
      deepStr = deep ? 'deeply ' : '';
      actual = [];
      obj.forEach((v, k) => actual.push(k));
      if (keysType !== 'Array') keys = Array.prototype.slice.call(arguments);
    } else {
      actual = Object.keys(obj).concat(Object.getOwnPropertySymbols(Object(obj)).filter((sym) => Object.getOwnPropertyDescriptor(obj, sym).enumerable));
      if (keysType === 'Array') {
        if (arguments.length > 1) throw new AssertionError(mixed);
      } else if (keysType === 'Object') {
        if (arguments.length > 1) throw new AssertionError(mixed);
        keys = Object.keys(keys);
      } else {
        keys = Array.prototype.slice.call(arguments);
      }
      keys = keys.map((k) => (typeof k === 'symbol' ? k : String(k)));
    }
    if (!keys.length) throw new AssertionError(msgPrefix(this) + 'keys required');
    const any = !!flag(this, 'any');
    const all = flag(this, 'all') || !any;
    const same = (a, b) => (deep ? deepEqual(a, b) : a === b);
    let ok = true;
    if (any) ok = keys.some((k) => actual.some((x) => same(k, x)));
    if (all && !any) {
      ok = keys.every((k) => actual.some((x) => same(k, x)));
      if (!flag(this, 'contains')) ok = ok && keys.length === actual.length;
    }
    let str;
    if (keys.length > 1) {
      const shown = keys.map((k) => inspect(k));
      const last = shown.pop();
      str = shown.join(', ') + (any ? ', or ' : ', and ') + last;
    } else str = inspect(keys[0]);
    str = (keys.length > 1 ? 'keys ' : 'key ') + str;
    str = (flag(this, 'contains') ? 'contain ' : 'have ') + str;
    check(this, ok, 'expected #{this} to ' + deepStr + str, 'expected #{this} to not ' + deepStr + str);
    return this;
  });
  method(['members'], function (subset) {
    const obj = flag(this, 'object');
    if (!Array.isArray(obj)) fail(this, 'expected #{this} to be an array');
    if (!Array.isArray(subset)) fail(this, 'expected ' + display(subset) + ' to be an array');
    const contains = !!flag(this, 'contains');
    const ordered = !!flag(this, 'ordered');
    const deep = !!flag(this, 'deep');
    const same = (a, b) => (deep ? deepEqual(a, b) : a === b);
    let ok;
    if (ordered) {
      ok = (contains || subset.length === obj.length) && subset.every((x, i) => same(x, obj[i]));
    } else if (!contains && subset.length !== obj.length) {
      ok = false;
    } else {
      const pool = obj.slice();
      ok = subset.every((x) => {
        const i = pool.findIndex((y) => same(x, y));
        if (i === -1) return false;
        if (!contains) pool.splice(i, 1);
        return true;
      });
    }
    let subject = ordered ? 'ordered members' : 'members';
    let msg;
    let neg;
    if (contains) {
      subject = (ordered ? 'an ordered superset' : 'a superset');
      subject = deep ? subject.replace('superset', 'deep superset') : subject;
      msg = 'expected #{this} to be ' + subject + ' of #{exp}';
      neg = 'expected #{this} to not be ' + subject + ' of #{exp}';
    } else {
      subject = (deep ? 'deep ' : '') + subject;
      msg = 'expected #{this} to have the same ' + subject + ' as #{exp}';
      neg = 'expected #{this} to not have the same ' + subject + ' as #{exp}';
    }
    check(this, ok, msg, neg, subset, obj);
    return this;
  });
  method(['throw', 'throws', 'Throw'], function (errLike, errMsg) {
    const fn = flag(this, 'object');
    if (typeof fn !== 'function') fail(this, 'expected #{this} to be a function');
    let thrown = false;
    let err;
    try {
      fn();
    } catch (e) {
      thrown = true;
      err = e;
    }
    if (errLike === undefined) {
      check(this, thrown, 'expected #{this} to throw an error', 'expected #{this} to not throw an error but #{act} was thrown', undefined, err);
      return this;
    }
    let ok = thrown;
    const msgOf = (e) => (e && e.message !== undefined ? String(e.message) : String(e));
    let what;
    if (typeof errLike === 'function') {
      ok = thrown && err instanceof errLike;
      what = errLike.name;
      if (ok && errMsg !== undefined) ok = errMsg instanceof RegExp ? errMsg.test(msgOf(err)) : msgOf(err).indexOf(errMsg) !== -1;
    } else if (errLike instanceof RegExp) {
      ok = thrown && errLike.test(msgOf(err));
      what = 'error matching ' + errLike;
    } else {
      ok = thrown && msgOf(err).indexOf(String(errLike)) !== -1;
      what = 'error including ' + inspect(errLike);
    }
    check(this, ok, 'expected #{this} to throw ' + what + ' but #{act} was thrown', 'expected #{this} to not throw ' + what, errLike, err);
    return this;
  });

  // chai-postman (the assertions Postman adds for responses), as the
  // Postman sandbox defines them.
  function postmanResponse(a) {
    const o = flag(a, 'object');
    if (!(o instanceof Response)) {
      throw new AssertionError(fmtMsg(a, 'expecting a postman response object but got #{this}', undefined, NO_ACTUAL));
    }
    return o;
  }
  const NAMED_STATUSES = {
    accepted: [202, 'Accepted'],
    withoutContent: [204, 'No Content'],
    badRequest: [400, 'Bad Request'],
    unauthorised: [401, 'Unauthorised'],
    unauthorized: [401, 'Unauthorized'],
    forbidden: [403, 'Forbidden'],
    notFound: [404, 'Not Found'],
    notAcceptable: [406, 'Acceptable'],
    rateLimited: [429, 'Too Many Requests'],
  };
  function reasonAndCode(a, reason, code) {
    const r = flag(a, 'object');
    const actualReason = String(r.reason()).toUpperCase();
    check(a, actualReason === reason, 'expected response to have status reason #{exp} but got #{act}', 'expected response to not have status reason #{act}', reason, actualReason);
    check(a, r.code === code, 'expected response to have status code #{exp} but got #{act}', 'expected response to not have status code #{act}', code, r.code);
    return a;
  }
  function statusIs(a) {
    return reasonAndCode(a, 'OK', 200);
  }
  Object.keys(NAMED_STATUSES).forEach((name) =>
    getter(name, function () {
      postmanResponse(this);
      const [code, reason] = NAMED_STATUSES[name];
      return reasonAndCode(this, reason.toUpperCase(), code);
    }),
  );
  [['info', 1], ['success', 2], ['redirection', 3], ['clientError', 4], ['serverError', 5]].forEach(([name, cls]) =>
    getter(name, function () {
      const code = postmanResponse(this).code;
      check(this, Math.floor(code / 100) === cls, 'expected response code to be #{exp}XX but found #{act}', 'expected response code to not be #{exp}XX', cls, code);
      return this;
    }),
  );
  method(['statusCodeClass'], function (cls) {
    const code = postmanResponse(this).code;
    check(this, Math.floor(code / 100) === cls, 'expected response code to be #{exp}XX but found #{act}', 'expected response code to not be #{exp}XX', cls, code);
    return this;
  });
  getter('error', function () {
    const code = postmanResponse(this).code;
    const c = Math.floor(code / 100);
    check(this, c === 4 || c === 5, 'expected response code to be 4XX or 5XX but found #{act}', 'expected response code to not be 4XX or 5XX', null, code);
    return this;
  });
  method(['statusCode'], function (n) {
    const r = postmanResponse(this);
    check(this, r.code === Number(n), 'expected response to have status code #{exp} but got #{act}', 'expected response to not have status code #{act}', Number(n), r.code);
    return this;
  });
  method(['statusReason'], function (reason) {
    const r = postmanResponse(this);
    reason = String(reason);
    check(this, r.reason() === reason, 'expected response to have status reason #{exp} but got #{act}', 'expected response to not have status reason #{act}', reason, r.reason());
    return this;
  });
  method(['status'], function (s) {
    const r = postmanResponse(this);
    if (typeof s === 'number') {
      check(this, r.code === s, 'expected response to have status code #{exp} but got #{act}', 'expected response to not have status code #{act}', s, r.code);
    } else {
      check(this, r.reason() === s, 'expected response to have status reason #{exp} but got #{act}', 'expected response to not have status reason #{act}', s, r.reason());
    }
    return this;
  });
  method(['header'], function (name, value) {
    const r = flag(this, 'object');
    const kind = r instanceof Request ? 'request' : r instanceof Response ? 'response' : null;
    if (kind === null) fail(this, 'expecting a postman request or response object but got #{this}');
    const has = r.headers.has(name);
    check(this, has, 'expected ' + kind + " to have header with key '" + String(name) + "'", 'expected ' + kind + " to not have header with key '" + String(name) + "'", true, has);
    if (arguments.length >= 2) {
      const one = r.headers.one(name);
      const actual = one ? one.value : undefined;
      check(this, actual === value, "expected '" + String(name) + "' " + kind + ' header to be #{exp} but got #{act}', "expected '" + String(name) + "' " + kind + ' header to not be #{act}', value, actual);
    }
    return this;
  });
  getter('withBody', function () {
    const text = postmanResponse(this).text();
    check(this, typeof text === 'string' && text.length > 0, 'expected response to have content in body', 'expected response to not have content in body');
    return this;
  });
  // The JSON error as chai-postman words it.
  function jsonError(r) {
    try {
      return { value: r.json(), error: undefined };
    } catch (e) {
      return { value: undefined, error: (e && e.name) + ': ' + (e && e.message) };
    }
  }
  getter('json', function () {
    const p = jsonError(postmanResponse(this));
    check(this, !p.error, 'expected response body to be a valid json but got error ' + p.error, 'expected response body not to be a valid json');
    return this;
  });
  // lodash's path syntax for `_.has`/`_.get`: a.b[0].c
  function lodashPath(obj, path) {
    const parts = [];
    String(path).replace(/[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g, (m, num, q, str) => {
      parts.push(q ? str : num !== undefined ? num : m);
      return m;
    });
    let cur = obj;
    for (let i = 0; i < parts.length; i++) {
      if (cur === null || cur === undefined || (typeof cur !== 'object' && typeof cur !== 'function') || !hasOwn(cur, parts[i])) {
        return { exists: false, value: undefined };
      }
      cur = cur[parts[i]];
    }
    return { exists: parts.length > 0, value: cur };
  }
  method(['jsonBody'], function (path, value) {
    const r = postmanResponse(this);
    const p = jsonError(r);
    if (arguments.length === 0) {
      check(this, !p.error, 'expected response body to be a valid json but got error ' + p.error, 'expected response body not to be a valid json');
      return this;
    }
    if (typeof path !== 'string') return this;
    const info = lodashPath(p.value, path);
    check(this, info.exists, 'expected #{act} in response to contain property #{exp}', 'expected #{act} in response to not contain property #{exp}', path, p.value);
    if (arguments.length > 1) {
      check(this, deepEqual(info.value, value), 'expected response body json at "' + path + '" to contain #{exp} but got #{act}', 'expected response body json at "' + path + '" to not contain #{exp} but got #{act}', value, info.value);
    }
    return this;
  });
  const isPlainObject = (v) => v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  method(['body'], function (expected) {
    const r = postmanResponse(this);
    if (isPlainObject(expected)) {
      const p = jsonError(r);
      check(this, deepEqual(p.value, expected), 'expected response body json to equal #{exp} but got #{act}', 'expected response body json to not equal #{exp} but got #{act}', expected, p.value);
      return this;
    }
    const text = r.text();
    if (arguments.length === 0) {
      check(this, typeof text === 'string' && text.length > 0, 'expected response to have content in body', 'expected response to not have content in body');
    } else if (expected instanceof RegExp) {
      check(this, expected.exec(text) !== null, 'expected response body text to match #{exp} but got #{act}', 'expected response body text #{act} to not match #{exp}', expected, text);
    } else {
      check(this, deepEqual(text, expected), 'expected response body to equal #{exp} but got #{act}', 'expected response body to not equal #{exp}', expected, text);
    }
    return this;
  });
  chainable(['responseTime'], function (n) {
    const t = flag(this, 'number');
    check(this, typeof t === 'number', 'expected response to have a valid response time but got #{act}', 'expected response to not have a valid response time but got #{act}', null, t);
    if (arguments.length) check(this, deepEqual(t, n), 'expected response to have a valid response time but got #{act}', 'expected response to not have a valid response time but got #{act}', null, t);
    return this;
  }, function () {
    const r = postmanResponse(this);
    flag(this, 'number', r.responseTime);
    flag(this, 'object', r.responseTime);
  });
  chainable(['responseSize'], function (n) {
    const t = flag(this, 'number');
    check(this, typeof t === 'number', 'expected response to have a valid response size but got #{act}', 'expected response to not have a valid response size but got #{act}', null, t);
    if (arguments.length) check(this, deepEqual(t, n), 'expected response size to equal #{act} but got #{exp}', 'expected response size to not equal #{act} but got #{exp}', n, t);
    return this;
  }, function () {
    const r = postmanResponse(this);
    const size = r.size();
    const total = (size.header || 0) + (size.body || 0);
    flag(this, 'number', total);
    flag(this, 'object', total);
  });

  // ----------------------------------------------------------- JSON Schema
  // What Postman's sandbox checks with ajv 6 (all errors, formats checked,
  // local $ref): the common keywords of drafts 4 to 7, ajv's keyword order
  // and wording, so that pass/fail and the error list read the same.
  function schemaType(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    return typeof v;
  }
  function typeMatches(v, t) {
    if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
    if (t === 'number') return typeof v === 'number';
    return schemaType(v) === t;
  }
  function resolveRef(root, ref) {
    if (ref === '#') return root;
    if (typeof ref !== 'string' || ref.indexOf('#/') !== 0) return undefined;
    let cur = root;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (cur === null || typeof cur !== 'object' || !hasOwn(cur, key)) return undefined;
      cur = cur[key];
    }
    return cur;
  }
  // ajv 6's "fast" formats.
  const FORMATS = {
    date: /^\d\d\d\d-[0-1]\d-[0-3]\d$/,
    time: /^(?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)?$/i,
    'date-time': /^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i,
    uri: /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/)?[^\s]*$/i,
    'uri-reference': /^(?:(?:[a-z][a-z0-9+\-.]*:)?\/?\/)?(?:[^\\\s#][^\s#]*)?(?:#[^\\\s]*)?$/i,
    'uri-template': /^(?:(?:[^\x00-\x20"'<>%\\^`{|}]|%[0-9a-f]{2})|\{[+#./;?&=,!@|]?(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?(?:,(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?)*\})*$/i,
    url: /^(?:(?:https?|ftp):\/\/)(?:\S+(?::\S*)?@)?(?:(?!10(?:\.\d{1,3}){3})(?!127(?:\.\d{1,3}){3})(?!169\.254(?:\.\d{1,3}){2})(?!192\.168(?:\.\d{1,3}){2})(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))|(?:(?:[a-z\u00a1-\uffff0-9]+-?)*[a-z\u00a1-\uffff0-9]+)(?:\.(?:[a-z\u00a1-\uffff0-9]+-?)*[a-z\u00a1-\uffff0-9]+)*(?:\.(?:[a-z\u00a1-\uffff]{2,})))(?::\d{2,5})?(?:\/[^\s]*)?$/i,
    email: /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    hostname: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*$/i,
    ipv4: /^(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)$/,
    ipv6: /^\s*(?:(?:(?:[0-9a-f]{1,4}:){7}(?:[0-9a-f]{1,4}|:))|(?:(?:[0-9a-f]{1,4}:){6}(?::[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(?:(?:[0-9a-f]{1,4}:){5}(?:(?:(?::[0-9a-f]{1,4}){1,2})|:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(?:(?:[0-9a-f]{1,4}:){4}(?:(?:(?::[0-9a-f]{1,4}){1,3})|(?:(?::[0-9a-f]{1,4})?:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(?:(?:[0-9a-f]{1,4}:){3}(?:(?:(?::[0-9a-f]{1,4}){1,4})|(?:(?::[0-9a-f]{1,4}){0,2}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(?:(?:[0-9a-f]{1,4}:){2}(?:(?:(?::[0-9a-f]{1,4}){1,5})|(?:(?::[0-9a-f]{1,4}){0,3}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(?:(?:[0-9a-f]{1,4}:){1}(?:(?:(?::[0-9a-f]{1,4}){1,6})|(?:(?::[0-9a-f]{1,4}){0,4}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(?::(?:(?:(?::[0-9a-f]{1,4}){1,7})|(?:(?::[0-9a-f]{1,4}){0,5}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))(?:%.+)?\s*$/i,
    uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
    'json-pointer': /^(?:\/(?:[^~/]|~0|~1)*)*$/,
    'json-pointer-uri-fragment': /^#(?:\/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*$/i,
    'relative-json-pointer': /^(?:0|[1-9][0-9]*)(?:#|(?:\/(?:[^~/]|~0|~1)*)*)$/,
  };
  function formatOk(name, v) {
    if (name === 'regex') {
      try {
        new RegExp(v);
        return true;
      } catch (e) {
        return false;
      }
    }
    return FORMATS[name].test(v);
  }
  function propPath(path, key) {
    if (typeof key === 'number') return path + '[' + key + ']';
    return /^[a-z$_][a-z$_0-9]*$/i.test(key) ? path + '.' + key : path + "['" + String(key).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "']";
  }
  class SchemaError extends Error {}
  // Pushes the errors of `data` against `schema` onto `errs` (ajv's order).
  function schemaErrors(data, schema, root, path, errs, depth) {
    if (schema === true || schema === undefined) return;
    if (schema === false) {
      errs.push({ path, message: 'boolean schema is false' });
      return;
    }
    if (schema === null || typeof schema !== 'object') return;
    if (depth > 64) throw new SchemaError('schema nesting too deep');
    if (typeof schema.$ref === 'string') {
      const target = resolveRef(root, schema.$ref);
      if (target === undefined) throw new SchemaError("can't resolve reference " + schema.$ref + ' from id #');
      // ajv 6 ignores the keywords next to $ref.
      schemaErrors(data, target, root, path, errs, depth + 1);
      return;
    }
    const push = (message) => errs.push({ path, message });
    const t = schema.type;
    let typeOk = true;
    if (t !== undefined) {
      const types = Array.isArray(t) ? t : [t];
      if (!types.some((x) => typeMatches(data, x))) {
        typeOk = false;
        push('should be ' + types.join(','));
      }
    }
    if (typeof data === 'number') {
      if (typeof schema.maximum === 'number') {
        const excl = schema.exclusiveMaximum === true;
        if (excl ? data >= schema.maximum : data > schema.maximum) push('should be ' + (excl ? '<' : '<=') + ' ' + schema.maximum);
      }
      if (typeof schema.minimum === 'number') {
        const excl = schema.exclusiveMinimum === true;
        if (excl ? data <= schema.minimum : data < schema.minimum) push('should be ' + (excl ? '>' : '>=') + ' ' + schema.minimum);
      }
      if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) {
        const q = data / schema.multipleOf;
        if (q !== Math.floor(q) && Math.abs(q - Math.round(q)) > 1e-9) push('should be multiple of ' + schema.multipleOf);
      }
      if (typeof schema.exclusiveMaximum === 'number' && data >= schema.exclusiveMaximum) push('should be < ' + schema.exclusiveMaximum);
      if (typeof schema.exclusiveMinimum === 'number' && data <= schema.exclusiveMinimum) push('should be > ' + schema.exclusiveMinimum);
    }
    if (typeof data === 'string') {
      const len = Array.from(data).length;
      if (typeof schema.maxLength === 'number' && len > schema.maxLength) push('should NOT be longer than ' + schema.maxLength + ' characters');
      if (typeof schema.minLength === 'number' && len < schema.minLength) push('should NOT be shorter than ' + schema.minLength + ' characters');
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(data)) push('should match pattern "' + schema.pattern + '"');
      if (typeof schema.format === 'string') {
        if (schema.format !== 'regex' && !hasOwn(FORMATS, schema.format)) throw new SchemaError('unknown format "' + schema.format + '" is used in schema at path "#' + path + '"');
        if (!formatOk(schema.format, data)) push('should match format "' + schema.format + '"');
      }
    } else if (typeof schema.format === 'string' && schema.format !== 'regex' && !hasOwn(FORMATS, schema.format)) {
      throw new SchemaError('unknown format "' + schema.format + '" is used in schema');
    }
    if (Array.isArray(data)) {
      if (typeof schema.maxItems === 'number' && data.length > schema.maxItems) push('should NOT have more than ' + schema.maxItems + ' items');
      if (typeof schema.minItems === 'number' && data.length < schema.minItems) push('should NOT have fewer than ' + schema.minItems + ' items');
      if (Array.isArray(schema.items)) {
        const tuple = schema.items;
        if (schema.additionalItems === false && data.length > tuple.length) push('should NOT have more than ' + tuple.length + ' items');
        for (let i = 0; i < data.length; i++) {
          const sub = i < tuple.length ? tuple[i] : schema.additionalItems;
          if (sub !== false) schemaErrors(data[i], sub, root, propPath(path, i), errs, depth + 1);
        }
      } else if (schema.items !== undefined) {
        for (let i = 0; i < data.length; i++) schemaErrors(data[i], schema.items, root, propPath(path, i), errs, depth + 1);
      }
      if (schema.contains !== undefined && !data.some((x) => valid(x, schema.contains, root, depth))) push('should contain a valid item');
      if (schema.uniqueItems === true) {
        outer: for (let i = data.length - 1; i > 0; i--) {
          for (let j = i - 1; j >= 0; j--) {
            if (deepEqual(data[i], data[j])) {
              push('should NOT have duplicate items (items ## ' + i + ' and ' + j + ' are identical)');
              break outer;
            }
          }
        }
      }
    }
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      const keys = Object.keys(data);
      if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) push('should NOT have more than ' + schema.maxProperties + ' properties');
      if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) push('should NOT have fewer than ' + schema.minProperties + ' properties');
      if (Array.isArray(schema.required)) {
        for (const k of schema.required) if (!hasOwn(data, k)) push("should have required property '" + k + "'");
      }
      if (schema.dependencies && typeof schema.dependencies === 'object') {
        for (const k of Object.keys(schema.dependencies)) {
          if (!hasOwn(data, k)) continue;
          const dep = schema.dependencies[k];
          if (Array.isArray(dep)) {
            const missing = dep.filter((d) => !hasOwn(data, d));
            if (missing.length) push('should have ' + (dep.length === 1 ? 'property ' : 'properties ') + dep.join(', ') + ' when property ' + k + ' is present');
          } else {
            schemaErrors(data, dep, root, path, errs, depth + 1);
          }
        }
      }
      if (schema.propertyNames !== undefined) {
        for (const k of keys) if (!valid(k, schema.propertyNames, root, depth)) push("property name '" + k + "' is invalid");
      }
      const props = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
      const patterns = schema.patternProperties ? Object.keys(schema.patternProperties) : [];
      if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
        for (const k of keys) {
          if (hasOwn(props, k) || patterns.some((p) => new RegExp(p, 'u').test(k))) continue;
          if (schema.additionalProperties === false) push('should NOT have additional properties');
          else schemaErrors(data[k], schema.additionalProperties, root, propPath(path, k), errs, depth + 1);
        }
      }
      for (const k of Object.keys(props)) {
        if (hasOwn(data, k)) schemaErrors(data[k], props[k], root, propPath(path, k), errs, depth + 1);
      }
      for (const p of patterns) {
        const re = new RegExp(p, 'u');
        for (const k of keys) if (re.test(k)) schemaErrors(data[k], schema.patternProperties[p], root, propPath(path, k), errs, depth + 1);
      }
    }
    if (hasOwn(schema, 'const') && !deepEqual(schema.const, data)) push('should be equal to constant');
    if (Array.isArray(schema.enum) && !schema.enum.some((x) => deepEqual(x, data))) push('should be equal to one of the allowed values');
    if (schema.not !== undefined && valid(data, schema.not, root, depth)) push('should NOT be valid');
    if (Array.isArray(schema.anyOf)) {
      const sub = [];
      let ok = false;
      for (const s of schema.anyOf) {
        const before = sub.length;
        schemaErrors(data, s, root, path, sub, depth + 1);
        if (sub.length === before) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        for (const e of sub) errs.push(e);
        push('should match some schema in anyOf');
      }
    }
    if (Array.isArray(schema.oneOf)) {
      const sub = [];
      let passing = 0;
      for (const s of schema.oneOf) {
        const before = sub.length;
        schemaErrors(data, s, root, path, sub, depth + 1);
        if (sub.length === before) passing++;
      }
      if (passing === 0) for (const e of sub) errs.push(e);
      if (passing !== 1) push('should match exactly one schema in oneOf');
    }
    if (Array.isArray(schema.allOf)) {
      for (const s of schema.allOf) schemaErrors(data, s, root, path, errs, depth + 1);
    }
    if (schema.if !== undefined && (schema.then !== undefined || schema.else !== undefined)) {
      const branch = valid(data, schema.if, root, depth) ? 'then' : 'else';
      if (schema[branch] !== undefined) {
        const before = errs.length;
        schemaErrors(data, schema[branch], root, path, errs, depth + 1);
        if (errs.length > before) push('should match "' + branch + '" schema');
      }
    }
    return typeOk;
  }
  function valid(data, schema, root, depth) {
    const errs = [];
    schemaErrors(data, schema, root, '', errs, depth + 1);
    return errs.length === 0;
  }
  // The errors of `data` against `schema` (empty when valid).
  function validateSchema(data, schema) {
    const errs = [];
    schemaErrors(data, schema, schema, '', errs, 0);
    return errs;
  }
  method(['jsonSchema'], function (schema) {
    expect(schema).to.be.an('object');
    const obj = flag(this, 'object');
    const data = obj instanceof Response ? obj.json() : obj;
    const errs = validateSchema(data, schema);
    check(this, errs.length === 0, 'expected data to satisfy schema but found following errors: \n' + errs.map((e) => 'data' + e.path + ' ' + e.message).join(', '), 'expected data to not satisfy schema', true, errs.length === 0);
    return this;
  });

  // The legacy `tv4` global (draft 4; formats are not checked, as in tv4).
  function tv4Check(data, schema) {
    const noFormats = (sch) => {
      if (sch === null || typeof sch !== 'object') return sch;
      if (Array.isArray(sch)) return sch.map(noFormats);
      const out = {};
      for (const k of Object.keys(sch)) if (k !== 'format') out[k] = noFormats(sch[k]);
      return out;
    };
    try {
      return validateSchema(data, noFormats(schema));
    } catch (e) {
      return [{ path: '', message: String(e.message) }];
    }
  }
  const tv4 = {
    error: null,
    missing: [],
    validate(data, schema) {
      const errs = tv4Check(data, schema);
      this.error = errs.length ? { message: errs[0].message, dataPath: errs[0].path, schemaPath: '', code: 0 } : null;
      this.missing = [];
      return errs.length === 0;
    },
    validateResult(data, schema) {
      const valid = this.validate(data, schema);
      return { valid, error: this.error, missing: [] };
    },
    validateMultiple(data, schema) {
      const errs = tv4Check(data, schema);
      return { valid: errs.length === 0, errors: errs.map((e) => ({ message: e.message, dataPath: e.path, schemaPath: '', code: 0 })), missing: [] };
    },
    addSchema() {},
    addFormat() {},
    getSchema() {
      return undefined;
    },
  };

  function expect(value, message) {
    return new Assertion(value, message);
  }
  expect.fail = function (actual, expected, message) {
    if (arguments.length < 2) {
      message = actual;
      actual = undefined;
    }
    throw new AssertionError(message === undefined ? 'expect.fail()' : String(message));
  };

  // ------------------------------------------------------------ variables
  function rand(n) {
    return Math.floor(Math.random() * n);
  }
  function uuid() {
    const h = '0123456789abcdef';
    let s = '';
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) s += '-';
      else if (i === 14) s += '4';
      else if (i === 19) s += h[8 + rand(4)];
      else s += h[rand(16)];
    }
    return s;
  }
  function dynamic(name) {
    switch (name) {
      case '$guid':
      case '$randomUUID':
        return uuid();
      case '$timestamp':
        return String(Math.floor(Date.now() / 1000));
      case '$isoTimestamp':
        return new Date().toISOString();
      case '$randomInt':
        return String(rand(1001));
      case '$randomBoolean':
        return String(Math.random() < 0.5);
    }
    return undefined;
  }
  const VAR = /\{\{([^{}]+)\}\}/g;
  // `lookup` answers MISSING for an unknown name. As in Postman, a value is
  // put in as String(value), an undefined one as ''.
  const MISSING = {};
  function substitute(template, lookup) {
    if (typeof template !== 'string') return template;
    let out = template;
    for (let depth = 0; depth < 20; depth++) {
      let changed = false;
      out = out.replace(VAR, (whole, name) => {
        let v = lookup(name);
        if (v === MISSING && name.charAt(0) === '$') {
          const d = dynamic(name);
          if (d !== undefined) v = d;
        }
        if (v === MISSING) return whole;
        changed = true;
        return v === undefined ? '' : String(v);
      });
      if (!changed || out.indexOf('{{') === -1) break;
    }
    return out;
  }

  class VariableScope {
    constructor(map, readOnly) {
      this._m = map;
      this._ro = !!readOnly;
      this._dirty = false;
    }
    get(key) {
      return this._m.get(String(key));
    }
    has(key) {
      return this._m.has(String(key));
    }
    set(key, value) {
      if (key !== null && typeof key === 'object') {
        for (const k of Object.keys(key)) this._m.set(k, key[k]);
      } else {
        this._m.set(String(key), value);
      }
      this._dirty = true;
      return this;
    }
    unset(key) {
      this._m.delete(String(key));
      this._dirty = true;
      return this;
    }
    clear() {
      this._m.clear();
      this._dirty = true;
      return this;
    }
    toObject() {
      const o = {};
      this._m.forEach((v, k) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true }));
      return o;
    }
    toJSON() {
      return Array.from(this._m, ([key, value]) => ({ key, value }));
    }
    values() {
      return this.toJSON();
    }
    replaceIn(template) {
      return substitute(template, (n) => (this._m.has(n) ? this._m.get(n) : MISSING));
    }
  }
  function mapOf(obj) {
    const m = new Map();
    if (obj) for (const k of Object.keys(obj)) m.set(k, obj[k]);
    return m;
  }

  // ---------------------------------------------------------- property list
  function toItem(item, value) {
    if (typeof item === 'string') {
      if (value !== undefined) return { key: item, value: String(value) };
      const i = item.indexOf(':');
      return i === -1 ? { key: item.trim(), value: '' } : { key: item.slice(0, i).trim(), value: item.slice(i + 1).trim() };
    }
    if (item === null || typeof item !== 'object') return null;
    const out = { key: String(item.key !== undefined ? item.key : item.name), value: item.value === undefined || item.value === null ? '' : item.value };
    if (item.disabled) out.disabled = true;
    return out;
  }
  class PropertyList {
    constructor(items, caseInsensitive) {
      this._items = items;
      this._ci = !!caseInsensitive;
    }
    _k(k) {
      return this._ci ? String(k).toLowerCase() : String(k);
    }
    _match(item, key) {
      return this._k(item.key) === this._k(key);
    }
    one(key) {
      let found;
      for (const it of this._items) if (this._match(it, key)) found = it;
      return found;
    }
    get(key) {
      const it = this.one(key);
      return it === undefined ? undefined : it.value === null ? '' : it.value;
    }
    has(key, value) {
      if (key !== null && typeof key === 'object') {
        value = key.value;
        key = key.key;
      }
      return this._items.some((it) => this._match(it, key) && (value === undefined || it.value === value));
    }
    add(item) {
      const it = toItem(item);
      if (it) this._items.push(it);
      return this;
    }
    append(item) {
      return this.add(item);
    }
    prepend(item) {
      const it = toItem(item);
      if (it) this._items.unshift(it);
      return this;
    }
    upsert(item) {
      const it = toItem(item);
      if (!it) return this;
      const existing = this._items.find((x) => this._match(x, it.key));
      if (existing) {
        existing.value = it.value;
        if (it.disabled) existing.disabled = true;
        else delete existing.disabled;
      } else this._items.push(it);
      return this;
    }
    remove(pred) {
      let test;
      if (typeof pred === 'function') test = pred;
      else if (pred !== null && typeof pred === 'object') test = (x) => x === pred || this._match(x, pred.key);
      else test = (x) => this._match(x, pred);
      this._items = this._items.filter((x) => !test(x));
      return this;
    }
    clear() {
      this._items = [];
      return this;
    }
    populate(items) {
      (items || []).forEach((x) => this.add(x));
      return this;
    }
    repopulate(items) {
      this.clear();
      return this.populate(items);
    }
    all() {
      return this._items.slice();
    }
    count() {
      return this._items.length;
    }
    idx(i) {
      return this._items[i];
    }
    indexOf(item) {
      return this._items.indexOf(item);
    }
    each(fn, ctx) {
      this._items.forEach((x) => fn.call(ctx, x));
    }
    forEach(fn, ctx) {
      this.each(fn, ctx);
    }
    map(fn, ctx) {
      return this._items.map((x) => fn.call(ctx, x));
    }
    filter(fn, ctx) {
      return this._items.filter((x) => fn.call(ctx, x));
    }
    find(fn, ctx) {
      return this._items.find((x) => fn.call(ctx, x));
    }
    reduce(fn, acc, ctx) {
      return this._items.reduce((a, x) => fn.call(ctx, a, x), acc);
    }
    // As postman-collection: names lower-cased for headers (unless
    // caseSensitive), repeated names grouped into an array.
    toObject(excludeDisabled, caseSensitive) {
      const o = {};
      for (const it of this._items) {
        if (excludeDisabled && it.disabled) continue;
        const k = this._ci && !caseSensitive ? String(it.key).toLowerCase() : String(it.key);
        const v = it.value === null || it.value === undefined ? '' : it.value;
        if (hasOwn(o, k)) o[k] = [].concat(o[k], v);
        else Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    toJSON() {
      return this._items.map((x) => Object.assign({}, x));
    }
    toString() {
      return this._items.filter((x) => !x.disabled).map((x) => x.key + ': ' + x.value).join('\n');
    }
  }
  class QueryList extends PropertyList {
    toString() {
      return this._items.filter((x) => !x.disabled).map((x) => (x.value === null || x.value === undefined ? x.key : x.key + '=' + x.value)).join('&');
    }
  }

  // ------------------------------------------------------------------ url
  const URL_RE = /^(?:([A-Za-z][\w+.-]*):\/\/)?(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
  class Url {
    constructor(text) {
      this.update(text);
    }
    update(text) {
      if (text !== null && typeof text === 'object') text = text.raw !== undefined ? text.raw : String(text);
      const m = URL_RE.exec(String(text === undefined || text === null ? '' : text)) || [];
      this.protocol = m[1];
      this.auth = m[2];
      let hostPort = m[3] || '';
      this.port = undefined;
      const pm = /^(.*?):(\d+|\{\{[^{}]+\}\})$/.exec(hostPort);
      if (pm) {
        hostPort = pm[1];
        this.port = pm[2];
      }
      this.host = hostPort ? hostPort.split('.') : [];
      const path = m[4] || '';
      this.path = path ? path.replace(/^\//, '').split('/') : [];
      this._slash = path.charAt(0) === '/';
      const items = [];
      if (m[5] !== undefined && m[5] !== '') {
        for (const part of m[5].split('&')) {
          const i = part.indexOf('=');
          items.push(i === -1 ? { key: part, value: null } : { key: part.slice(0, i), value: part.slice(i + 1) });
        }
      }
      this._hasQ = m[5] !== undefined;
      this.query = new QueryList(items, false);
      this.hash = m[6];
    }
    getHost() {
      return this.host.join('.');
    }
    getPath(unresolved) {
      return '/' + this.path.join('/');
    }
    getQueryString() {
      return this.query.toString();
    }
    getPathWithQuery() {
      const q = this.getQueryString();
      return this.getPath() + (q ? '?' + q : '');
    }
    getRemote() {
      return this.getHost() + (this.port ? ':' + this.port : '');
    }
    addQueryParams(params) {
      if (typeof params === 'string') params = params.split('&').map((p) => toItem(p.replace('=', ':')));
      (params || []).forEach((p) => this.query.add(p));
    }
    removeQueryParams(params) {
      [].concat(params).forEach((p) => this.query.remove(typeof p === 'object' && p ? p.key : p));
    }
    toString() {
      let s = '';
      if (this.protocol) s += this.protocol + '://';
      if (this.auth) s += this.auth + '@';
      s += this.getHost();
      if (this.port) s += ':' + this.port;
      if (this.path.length) s += (this._slash || s ? '/' : '') + this.path.join('/');
      const q = this.query.toString();
      if (q) s += '?' + q;
      if (this.hash !== undefined) s += '#' + this.hash;
      return s;
    }
    toJSON() {
      return this.toString();
    }
  }

  // -------------------------------------------------------------- request
  class RequestBody {
    constructor(raw) {
      this.mode = 'raw';
      this.raw = raw;
    }
    isEmpty() {
      return !this.raw;
    }
    update(b) {
      if (typeof b === 'string') {
        this.mode = 'raw';
        this.raw = b;
      } else if (b && typeof b === 'object') {
        if (b.mode) this.mode = b.mode;
        if (b.raw !== undefined) this.raw = b.raw;
        if (b.urlencoded) this.raw = encodePairs(b.urlencoded);
      }
    }
    toString() {
      return this.raw === undefined || this.raw === null ? '' : String(this.raw);
    }
    toJSON() {
      return { mode: this.mode, raw: this.toString() };
    }
  }
  function encodePairs(list) {
    if (!Array.isArray(list)) list = Object.keys(list).map((k) => ({ key: k, value: list[k] }));
    return list.filter((x) => !x.disabled).map((x) => encodeURIComponent(x.key) + '=' + encodeURIComponent(x.value === undefined ? '' : x.value)).join('&');
  }
  class Request {
    constructor(r) {
      this.id = r.id;
      this.name = r.name;
      this.method = r.method;
      this._url = new Url(r.url);
      this.headers = new PropertyList(r.headers.map((h) => ({ key: h[0], value: h[1] })), true);
      this.body = r.body === null || r.body === undefined ? undefined : new RequestBody(r.body);
    }
    get url() {
      return this._url;
    }
    set url(v) {
      this._url = v instanceof Url ? v : new Url(v);
    }
    addHeader(h) {
      this.headers.add(h);
    }
    removeHeader(h) {
      this.headers.remove(h);
    }
    upsertHeader(h) {
      this.headers.upsert(h);
    }
    getHeaders(opts) {
      return this.headers.toObject(true, !(opts && opts.ignoreCase));
    }
    toJSON() {
      return { method: this.method, url: this.url.toString(), header: this.headers.toJSON(), body: this.body && this.body.toJSON() };
    }
  }

  // ------------------------------------------------------------- response
  // The reason phrases Postman puts in when a server sends none (HTTP/2,
  // or an empty reason): the table of its http-reasons package.
  const REASONS = {"100": "Continue", "101": "Switching Protocols", "102": "Processing (WebDAV) (RFC 2518)", "103": "Checkpoint", "122": "Request-URI too long", "200": "OK", "201": "Created", "202": "Accepted", "203": "Non-Authoritative Information (since HTTP/1.1)", "204": "No Content", "205": "Reset Content", "206": "Partial Content", "207": "Multi-Status (WebDAV) (RFC 4918)", "208": "Already Reported (WebDAV) (RFC 5842)", "226": "IM Used (RFC 3229)", "300": "Multiple Choices", "301": "Moved Permanently", "302": "Found", "303": "See Other", "304": "Not Modified", "305": "Use Proxy (since HTTP/1.1)", "306": "Switch Proxy", "307": "Temporary Redirect (since HTTP/1.1)", "308": "Resume Incomplete", "400": "Bad Request", "401": "Unauthorized", "402": "Payment Required", "403": "Forbidden", "404": "Not Found", "405": "Method Not Allowed", "406": "Not Acceptable", "407": "Proxy Authentication Required", "408": "Request Timeout", "409": "Conflict", "410": "Gone", "411": "Length Required", "412": "Precondition Failed", "413": "Request Entity Too Large", "414": "Request-URI Too Long", "415": "Unsupported Media Type", "416": "Requested Range Not Satisfiable", "417": "Expectation Failed", "418": "I'm a teapot (RFC 2324)", "422": "Unprocessable Entity (WebDAV) (RFC 4918)", "423": "Locked (WebDAV) (RFC 4918)", "424": "Failed Dependency (WebDAV) (RFC 4918)", "425": "Unordered Collection (RFC 3648)", "426": "Upgrade Required (RFC 2817)", "428": "Precondition Required", "429": "Too Many Requests", "431": "Request Header Fields Too Large", "444": "No Response", "449": "Retry With", "450": "Blocked by Windows Parental Controls", "499": "Client Closed Request", "500": "Internal Server Error", "501": "Not Implemented", "502": "Bad Gateway", "503": "Service Unavailable", "504": "Gateway Timeout", "505": "HTTP Version Not Supported", "506": "Variant Also Negotiates (RFC 2295)", "507": "Insufficient Storage (WebDAV) (RFC 4918)", "508": "Loop Detected (WebDAV) (RFC 5842)", "509": "Bandwidth Limit Exceeded (Apache bw/limited extension)", "510": "Not Extended (RFC 2774)", "511": "Network Authentication Required", "598": "Network read timeout error", "599": "Network connect timeout error[23]"};
  class Response {
    constructor(r, body) {
      this.code = r.code;
      this.status = r.status || REASONS[r.code] || '';
      this.headers = new PropertyList(r.headers.map((h) => ({ key: h[0], value: h[1] })), true);
      this.responseTime = r.time;
      this.responseSize = r.size;
      this._body = body;
      this._json = undefined;
    }
    text() {
      return this._body;
    }
    json() {
      if (this._json === undefined) this._json = { v: jsonParse(this._body) };
      return this._json.v;
    }
    reason() {
      return this.status;
    }
    size() {
      return { body: this.responseSize, header: 0, total: this.responseSize };
    }
    get stream() {
      return this._body;
    }
    get cookies() {
      return cookieList(this.headers);
    }
    get to() {
      return new Assertion(this).to;
    }
    get not() {
      return new Assertion(this).not;
    }
    toJSON() {
      return { code: this.code, status: this.status, header: this.headers.toJSON(), responseTime: this.responseTime, body: this._body };
    }
  }
  function cookieList(headers) {
    const items = [];
    headers.each((h) => {
      if (String(h.key).toLowerCase() !== 'set-cookie') return;
      const first = String(h.value).split(';')[0];
      const i = first.indexOf('=');
      if (i > 0) items.push({ key: first.slice(0, i).trim(), value: first.slice(i + 1).trim() });
    });
    return new PropertyList(items, false);
  }

  // The `_` global (a lodash subset), built on first use. `__lodash` is the
  // factory in lodash.js, evaluated before this file.
  const lodashFactory = G.__lodash;
  delete G.__lodash;
  let lodashObj = null;
  const lodash = () => lodashObj || (lodashObj = lodashFactory(deepEqual, false));
  let lodash4Obj = null;
  const lodash4 = () => lodash4Obj || (lodash4Obj = lodashFactory(deepEqual, true));

  // ------------------------------------------------------ URL, URLSearchParams
  // The WHATWG URL and URLSearchParams classes for special (http-like) URLs,
  // as scripts use them: parsing, the parts, and query editing.
  function formEncode(s) {
    return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }
  function formDecode(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (e) {
      return s.replace(/\+/g, ' ');
    }
  }
  class URLSearchParamsImpl {
    constructor(init) {
      this._list = [];
      this._url = null;
      if (init === undefined || init === null) return;
      if (init instanceof URLSearchParamsImpl) this._list = init._list.map((p) => p.slice());
      else if (typeof init === 'object' && typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const p = Array.from(pair);
          if (p.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
          this._list.push([String(p[0]), String(p[1])]);
        }
      } else if (typeof init === 'object') {
        for (const k of Object.keys(init)) this._list.push([k, String(init[k])]);
      } else this._parse(String(init));
    }
    _parse(q) {
      this._list = [];
      if (q.charAt(0) === '?') q = q.slice(1);
      for (const part of q.split('&')) {
        if (!part) continue;
        const i = part.indexOf('=');
        this._list.push(i === -1 ? [formDecode(part), ''] : [formDecode(part.slice(0, i)), formDecode(part.slice(i + 1))]);
      }
    }
    _update() {
      if (this._url) {
        const q = this.toString();
        this._url._search = q ? '?' + q : '';
      }
    }
    get size() {
      return this._list.length;
    }
    append(k, v) {
      this._list.push([String(k), String(v)]);
      this._update();
    }
    delete(k, v) {
      k = String(k);
      this._list = this._list.filter((p) => !(p[0] === k && (v === undefined || p[1] === String(v))));
      this._update();
    }
    get(k) {
      const p = this._list.find((x) => x[0] === String(k));
      return p ? p[1] : null;
    }
    getAll(k) {
      return this._list.filter((x) => x[0] === String(k)).map((x) => x[1]);
    }
    has(k, v) {
      return this._list.some((x) => x[0] === String(k) && (v === undefined || x[1] === String(v)));
    }
    set(k, v) {
      k = String(k);
      const i = this._list.findIndex((x) => x[0] === k);
      if (i === -1) this._list.push([k, String(v)]);
      else {
        this._list[i][1] = String(v);
        this._list = this._list.filter((x, j) => j <= i || x[0] !== k);
      }
      this._update();
    }
    sort() {
      this._list = this._list.map((p, i) => [p, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map((x) => x[0]);
      this._update();
    }
    forEach(fn, thisArg) {
      for (const [k, v] of this._list) fn.call(thisArg, v, k, this);
    }
    keys() {
      return this._list.map((p) => p[0])[Symbol.iterator]();
    }
    values() {
      return this._list.map((p) => p[1])[Symbol.iterator]();
    }
    entries() {
      return this._list.map((p) => [p[0], p[1]])[Symbol.iterator]();
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString() {
      return this._list.map((p) => formEncode(p[0]) + '=' + formEncode(p[1])).join('&');
    }
  }
  const DEFAULT_PORTS = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };
  const encodePath = (p) => p.replace(/[\u0000-\u0020"<>`{}\u007f-\uffff]/g, (c) => encodeURIComponent(c)).replace(/\\/g, '/');
  const encodeQuery = (q) => q.replace(/[\u0000-\u0020"'<>\u007f-\uffff]/g, (c) => encodeURIComponent(c));
  const encodeHash = (h) => h.replace(/[\u0000-\u0020"<>`\u007f-\uffff]/g, (c) => encodeURIComponent(c));
  class URLImpl {
    constructor(url, base) {
      url = String(url).trim();
      let m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(url);
      if (!m) {
        if (base === undefined) throw new TypeError('Invalid URL');
        const b = base instanceof URLImpl ? base : new URLImpl(base);
        if (url.startsWith('//')) url = b.protocol + url;
        else if (url.startsWith('/')) url = b.origin + url;
        else if (url.startsWith('?')) url = b.origin + b.pathname + url;
        else if (url.startsWith('#')) url = b.origin + b.pathname + b.search + url;
        else url = b.origin + b.pathname.replace(/[^/]*$/, '') + url;
        m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(url);
      }
      this._protocol = m[1].toLowerCase() + ':';
      let rest = m[2];
      const special = hasOwn(DEFAULT_PORTS, this._protocol) || this._protocol === 'file:';
      if (!special) throw new TypeError('Invalid URL: only http(s), ws(s), ftp and file URLs are supported');
      rest = rest.replace(/^[/\\]*/, '');
      const hashAt = rest.indexOf('#');
      this._hash = hashAt === -1 ? '' : '#' + encodeHash(rest.slice(hashAt + 1));
      if (this._hash === '#') this._hash = '';
      if (hashAt !== -1) rest = rest.slice(0, hashAt);
      const qAt = rest.indexOf('?');
      let search = qAt === -1 ? '' : rest.slice(qAt + 1);
      if (qAt !== -1) rest = rest.slice(0, qAt);
      const slash = rest.search(/[/\\]/);
      let authority = slash === -1 ? rest : rest.slice(0, slash);
      let path = slash === -1 ? '/' : rest.slice(slash);
      const at = authority.lastIndexOf('@');
      this._username = '';
      this._password = '';
      if (at !== -1) {
        const cred = authority.slice(0, at);
        authority = authority.slice(at + 1);
        const c = cred.indexOf(':');
        this._username = c === -1 ? cred : cred.slice(0, c);
        this._password = c === -1 ? '' : cred.slice(c + 1);
      }
      const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
      if (!pm || (!pm[1] && this._protocol !== 'file:')) throw new TypeError('Invalid URL');
      this._hostname = pm[1].toLowerCase();
      this._port = pm[2] && pm[2] !== DEFAULT_PORTS[this._protocol] ? String(Number(pm[2])) : '';
      if (this._port !== '' && Number(this._port) > 65535) throw new TypeError('Invalid URL');
      const segs = [];
      for (const seg of encodePath(path).split('/').slice(1)) {
        if (seg === '..' || seg.toLowerCase() === '%2e%2e') segs.pop();
        else if (seg !== '.' && seg.toLowerCase() !== '%2e') segs.push(seg);
      }
      if (/\/\.\.?$/.test(path)) segs.push('');
      this._pathname = '/' + segs.join('/');
      this._search = search ? '?' + encodeQuery(search) : '';
      this._params = new URLSearchParamsImpl(this._search);
      this._params._url = this;
    }
    get protocol() {
      return this._protocol;
    }
    get username() {
      return this._username;
    }
    get password() {
      return this._password;
    }
    get hostname() {
      return this._hostname;
    }
    set hostname(v) {
      this._hostname = String(v).toLowerCase();
    }
    get port() {
      return this._port;
    }
    set port(v) {
      v = String(v);
      this._port = v === '' || v === DEFAULT_PORTS[this._protocol] ? '' : String(parseInt(v, 10));
    }
    get host() {
      return this._hostname + (this._port ? ':' + this._port : '');
    }
    get origin() {
      return this._protocol === 'file:' ? 'null' : this._protocol + '//' + this.host;
    }
    get pathname() {
      return this._pathname;
    }
    set pathname(v) {
      v = String(v);
      this._pathname = encodePath(v.charAt(0) === '/' ? v : '/' + v);
    }
    get search() {
      return this._search === '?' ? '' : this._search;
    }
    set search(v) {
      v = String(v);
      if (v.charAt(0) === '?') v = v.slice(1);
      this._search = v ? '?' + encodeQuery(v) : '';
      this._params._parse(this._search);
    }
    get searchParams() {
      return this._params;
    }
    get hash() {
      return this._hash;
    }
    set hash(v) {
      v = String(v);
      if (v.charAt(0) === '#') v = v.slice(1);
      this._hash = v ? '#' + encodeHash(v) : '';
    }
    get href() {
      const cred = this._username ? this._username + (this._password ? ':' + this._password : '') + '@' : '';
      return this._protocol + '//' + cred + this.host + this._pathname + this.search + this._hash;
    }
    toString() {
      return this.href;
    }
    toJSON() {
      return this.href;
    }
  }

  // ---------------------------------------------- Buffer, TextEncoder, structuredClone
  // Node's Buffer as scripts use it (encoding and decoding text), a
  // Uint8Array like Node's.
  function latin1Of(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, i, i + 4096));
    return out;
  }
  function bytesOf(str, enc) {
    enc = String(enc || 'utf8').toLowerCase();
    switch (enc) {
      case 'utf8':
      case 'utf-8':
        return utf8Bytes(str);
      case 'hex': {
        const out = [];
        for (let i = 0; i + 1 < str.length; i += 2) {
          const b = parseInt(str.substr(i, 2), 16);
          if (Number.isNaN(b)) break;
          out.push(b);
        }
        return out;
      }
      case 'base64':
      case 'base64url': {
        let b = String(str).replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
        while (b.length % 4) b += '=';
        if (b.length % 4 === 1) b = b.slice(0, -1);
        try {
          return Array.from(atob(b), (c) => c.charCodeAt(0));
        } catch (e) {
          return [];
        }
      }
      case 'latin1':
      case 'binary':
      case 'ascii':
        return Array.from(str, (c) => c.charCodeAt(0) & 255);
      case 'utf16le':
      case 'ucs2':
      case 'ucs-2':
      case 'utf-16le': {
        const out = [];
        for (let i = 0; i < str.length; i++) {
          const c = str.charCodeAt(i);
          out.push(c & 255, c >> 8);
        }
        return out;
      }
    }
    throw new TypeError('Unknown encoding: ' + enc);
  }
  class BufferImpl extends Uint8Array {
    static from(value, encOrOffset, length) {
      if (typeof value === 'string') return new BufferImpl(bytesOf(value, encOrOffset));
      if (value instanceof ArrayBuffer) return new BufferImpl(new Uint8Array(value, encOrOffset || 0, length));
      if (value && typeof value === 'object' && value.type === 'Buffer' && Array.isArray(value.data)) return new BufferImpl(value.data);
      return new BufferImpl(Array.from(value || [], (x) => x & 255));
    }
    static alloc(n, fill) {
      const b = new BufferImpl(n);
      if (fill !== undefined) b.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill);
      return b;
    }
    static isBuffer(b) {
      return b instanceof BufferImpl;
    }
    static byteLength(s, enc) {
      return typeof s === 'string' ? bytesOf(s, enc).length : s.byteLength;
    }
    static concat(list, total) {
      const bytes = [];
      for (const b of list) for (let i = 0; i < b.length; i++) bytes.push(b[i]);
      return new BufferImpl(total === undefined ? bytes : bytes.slice(0, total));
    }
    static isEncoding(enc) {
      try {
        bytesOf('', enc);
        return true;
      } catch (e) {
        return false;
      }
    }
    toString(enc, start, end) {
      const bytes = Array.prototype.slice.call(this, start || 0, end === undefined ? this.length : end);
      enc = String(enc || 'utf8').toLowerCase();
      switch (enc) {
        case 'utf8':
        case 'utf-8':
          return utf8DecodeLoose(bytes);
        case 'hex':
          return bytes.map((b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
        case 'base64':
          return btoa(latin1Of(bytes));
        case 'base64url':
          return btoa(latin1Of(bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        case 'latin1':
        case 'binary':
          return latin1Of(bytes);
        case 'ascii':
          return latin1Of(bytes.map((b) => b & 127));
        case 'utf16le':
        case 'ucs2':
        case 'ucs-2':
        case 'utf-16le': {
          let out = '';
          for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
          return out;
        }
      }
      throw new TypeError('Unknown encoding: ' + enc);
    }
    toJSON() {
      return { type: 'Buffer', data: Array.from(this) };
    }
    equals(other) {
      return this.length === other.length && this.every((b, i) => b === other[i]);
    }
    write(str, offset, enc) {
      const bytes = bytesOf(str, enc);
      offset = offset || 0;
      let n = 0;
      for (; n < bytes.length && offset + n < this.length; n++) this[offset + n] = bytes[n];
      return n;
    }
    slice(start, end) {
      return new BufferImpl(Array.prototype.slice.call(this, start, end));
    }
  }
  // UTF-8 decoding with U+FFFD for invalid bytes, as Node does.
  function utf8DecodeLoose(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i];
      let need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
      if (need < 0) {
        out += '\ufffd';
        i++;
        continue;
      }
      let c = need === 0 ? b : b & (0x3f >> need);
      let ok = i + need < bytes.length;
      for (let j = 1; ok && j <= need; j++) {
        const x = bytes[i + j];
        if ((x & 0xc0) !== 0x80) ok = false;
        else c = (c << 6) | (x & 63);
      }
      if (!ok || (need === 2 && c < 0x800) || (need === 3 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c < 0xe000)) {
        out += '\ufffd';
        i++;
        continue;
      }
      out += String.fromCodePoint(c);
      i += need + 1;
    }
    return out;
  }
  class TextEncoderImpl {
    get encoding() {
      return 'utf-8';
    }
    encode(s) {
      return new Uint8Array(utf8Bytes(String(s === undefined ? '' : s)));
    }
  }
  class TextDecoderImpl {
    get encoding() {
      return 'utf-8';
    }
    decode(b) {
      if (b === undefined) return '';
      const bytes = b instanceof ArrayBuffer ? new Uint8Array(b) : b;
      return utf8DecodeLoose(Array.from(bytes));
    }
  }
  function structuredCloneImpl(v, seen) {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function' || typeof v === 'symbol') throw new Error('DataCloneError: ' + String(typeof v) + ' could not be cloned.');
      return v;
    }
    seen = seen || new Map();
    if (seen.has(v)) return seen.get(v);
    let out;
    if (v instanceof Date) out = new Date(v.getTime());
    else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
    else if (v instanceof Map) {
      out = new Map();
      seen.set(v, out);
      v.forEach((x, k) => out.set(structuredCloneImpl(k, seen), structuredCloneImpl(x, seen)));
      return out;
    } else if (v instanceof Set) {
      out = new Set();
      seen.set(v, out);
      v.forEach((x) => out.add(structuredCloneImpl(x, seen)));
      return out;
    } else if (ArrayBuffer.isView(v)) out = v.slice();
    else if (v instanceof Error) {
      out = new Error(v.message);
      out.name = v.name;
    } else {
      out = Array.isArray(v) ? [] : {};
      seen.set(v, out);
      for (const k of Object.keys(v)) out[k] = structuredCloneImpl(v[k], seen);
      return out;
    }
    seen.set(v, out);
    return out;
  }

  // ------------------------------------------------------------- xml2Json
  // Postman's legacy xml2Json: xml2js with explicitArray off and trimmed
  // text; attributes under "$", text next to children under "_". Answers
  // undefined for what is not well-formed XML.
  const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  function xmlDecode(t) {
    return t.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      if (hasOwn(XML_ENTITIES, e)) return XML_ENTITIES[e];
      throw new Error('Invalid character entity');
    });
  }
  class XmlError extends Error {}
  function xml2Json(input) {
    const text = String(input);
    if (text === '') return null;
    try {
      return parseXml(text);
    } catch (e) {
      // Like xml2js, a closing tag that does not match throws.
      if (e instanceof XmlError) throw new Error(e.message);
      return undefined;
    }
  }
  function parseXml(src) {
    let i = 0;
    const stack = [];
    const fail = () => {
      throw new Error('not well-formed');
    };
    const addText = (t) => {
      if (!stack.length) {
        if (t.trim()) fail();
        return;
      }
      const top = stack[stack.length - 1];
      const trimmed = t.trim();
      if (trimmed) top.text += trimmed;
      else top.blank += t;
    };
    while (i < src.length) {
      const lt = src.indexOf('<', i);
      if (lt === -1) {
        addText(xmlDecode(src.slice(i)));
        break;
      }
      if (lt > i) addText(xmlDecode(src.slice(i, lt)));
      if (src.startsWith('<?', lt)) {
        const end = src.indexOf('?>', lt);
        if (end === -1) fail();
        i = end + 2;
      } else if (src.startsWith('<!--', lt)) {
        const end = src.indexOf('-->', lt);
        if (end === -1) fail();
        i = end + 3;
      } else if (src.startsWith('<![CDATA[', lt)) {
        const end = src.indexOf(']]>', lt);
        if (end === -1 || !stack.length) fail();
        const t = src.slice(lt + 9, end);
        if (t.trim()) stack[stack.length - 1].text += t.trim();
        i = end + 3;
      } else if (src.startsWith('<!', lt)) {
        const end = src.indexOf('>', lt);
        if (end === -1) fail();
        i = end + 1;
      } else if (src[lt + 1] === '/') {
        const end = src.indexOf('>', lt);
        if (end === -1) fail();
        const name = src.slice(lt + 2, end).trim();
        const el = stack.pop();
        if (!el || el.name !== name) throw new XmlError('Unmatched closing tag: ' + name);
        const value = xmlValue(el);
        i = end + 1;
        if (stack.length) xmlAddChild(stack[stack.length - 1], el.name, value);
        else return { [el.name]: value };
      } else {
        const m = /^<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(src.slice(lt));
        if (!m) fail();
        const attrs = {};
        let hasAttrs = false;
        const re = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
        let a;
        while ((a = re.exec(m[2])) !== null) {
          attrs[a[1]] = xmlDecode(a[2] !== undefined ? a[2] : a[3]);
          hasAttrs = true;
        }
        const el = { name: m[1], attrs: hasAttrs ? attrs : null, text: '', blank: '', children: [] };
        if (m[3] === '/') {
          const value = xmlValue(el);
          if (stack.length) xmlAddChild(stack[stack.length - 1], el.name, value);
          else return { [el.name]: value };
        } else stack.push(el);
        i = lt + m[0].length;
      }
    }
    return fail();
  }
  function xmlAddChild(parent, name, value) {
    const existing = parent.children.find((c) => c.name === name);
    if (existing) {
      if (!existing.multi) {
        existing.value = [existing.value];
        existing.multi = true;
      }
      existing.value.push(value);
    } else parent.children.push({ name, value, multi: false });
  }
  function xmlValue(el) {
    if (!el.attrs && !el.children.length) return el.text || el.blank;
    const o = {};
    if (el.text) o._ = el.text;
    if (el.attrs) o.$ = el.attrs;
    for (const c of el.children) o[c.name] = c.value;
    return o;
  }

  // ------------------------------------------------------------- CryptoJS
  // The part of crypto-js that collections use: MD5, SHA1, SHA256, SHA512
  // and their HMACs, and the Hex, Base64, Utf8 and Latin1 encoders.
  function utf8Bytes(str) {
    const out = [];
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }
  function utf8Decode(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i];
      let c;
      let n;
      if (b < 0x80) {
        c = b;
        n = 1;
      } else if (b >= 0xf0) {
        c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
        n = 4;
      } else if (b >= 0xe0) {
        c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
        n = 3;
      } else {
        c = ((b & 31) << 6) | (bytes[i + 1] & 63);
        n = 2;
      }
      if (i + n > bytes.length) throw new Error('Malformed UTF-8 data');
      out += String.fromCodePoint(c);
      i += n;
    }
    return out;
  }
  class WordArray {
    constructor(words, sigBytes) {
      this.words = words || [];
      this.sigBytes = sigBytes !== undefined ? sigBytes : this.words.length * 4;
    }
    static fromBytes(bytes) {
      const words = [];
      for (let i = 0; i < bytes.length; i++) words[i >>> 2] |= (bytes[i] & 255) << (24 - (i % 4) * 8);
      return new WordArray(words, bytes.length);
    }
    bytes() {
      const out = [];
      for (let i = 0; i < this.sigBytes; i++) out.push((this.words[i >>> 2] >>> (24 - (i % 4) * 8)) & 255);
      return out;
    }
    toString(encoder) {
      return (encoder || Hex).stringify(this);
    }
    concat(other) {
      return this.constructor === WordArray ? Object.assign(this, WordArray.fromBytes(this.bytes().concat(other.bytes()))) : this;
    }
    clone() {
      return new WordArray(this.words.slice(), this.sigBytes);
    }
  }
  const Hex = {
    stringify: (wa) => wa.bytes().map((b) => (b < 16 ? '0' : '') + b.toString(16)).join(''),
    parse: (hex) => {
      const bytes = [];
      for (let i = 0; i + 1 < hex.length; i += 2) bytes.push(parseInt(hex.substr(i, 2), 16));
      return WordArray.fromBytes(bytes);
    },
  };
  const Latin1 = {
    stringify: (wa) => String.fromCharCode.apply(null, wa.bytes()),
    parse: (str) => WordArray.fromBytes(Array.from(str, (c) => c.charCodeAt(0) & 255)),
  };
  const Utf8 = {
    stringify: (wa) => utf8Decode(wa.bytes()),
    parse: (str) => WordArray.fromBytes(utf8Bytes(str)),
  };
  const Base64 = {
    stringify: (wa) => btoa(Latin1.stringify(wa)),
    parse: (b64) => Latin1.parse(atob(String(b64).replace(/[^A-Za-z0-9+/=]/g, ''))),
  };
  function toBytes(data) {
    if (data instanceof WordArray) return data.bytes();
    return utf8Bytes(String(data));
  }
  function wordsBE(bytes) {
    const w = [];
    for (let i = 0; i < bytes.length; i++) w[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    return w;
  }
  function pad(bytes, littleEndian, lenBytes) {
    const bitLen = bytes.length * 8;
    const out = bytes.slice();
    out.push(0x80);
    const block = lenBytes === 16 ? 128 : 64;
    while (out.length % block !== block - lenBytes) out.push(0);
    const len = [];
    for (let i = 0; i < lenBytes; i++) len.push(0);
    // Lengths below 2^53 bits.
    let hi = Math.floor(bitLen / 0x100000000);
    let lo = bitLen >>> 0;
    for (let i = 0; i < 4; i++) {
      len[lenBytes - 1 - i] = (lo >>> (8 * i)) & 255;
      len[lenBytes - 5 - i] = (hi >>> (8 * i)) & 255;
    }
    if (littleEndian) len.reverse();
    return out.concat(len);
  }
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  const K256 = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  function sha256(bytes) {
    const m = wordsBE(pad(bytes, false, 8));
    const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    const w = new Array(64);
    for (let i = 0; i < m.length; i += 16) {
      for (let t = 0; t < 64; t++) {
        if (t < 16) w[t] = m[i + t] | 0;
        else {
          const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
          const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
        }
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 64; t++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[t] + w[t]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0;
      h[1] = (h[1] + b) | 0;
      h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0;
      h[5] = (h[5] + f) | 0;
      h[6] = (h[6] + g) | 0;
      h[7] = (h[7] + hh) | 0;
    }
    return new WordArray(h, 32);
  }
  function sha1(bytes) {
    const m = wordsBE(pad(bytes, false, 8));
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const w = new Array(80);
    for (let i = 0; i < m.length; i += 16) {
      for (let t = 0; t < 80; t++) w[t] = t < 16 ? m[i + t] | 0 : rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
      let [a, b, c, d, e] = h;
      for (let t = 0; t < 80; t++) {
        const f = t < 20 ? (b & c) | (~b & d) : t < 40 ? b ^ c ^ d : t < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
        const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
        const tmp = (rotl(a, 5) + f + e + k + w[t]) | 0;
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = tmp;
      }
      h[0] = (h[0] + a) | 0;
      h[1] = (h[1] + b) | 0;
      h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0;
    }
    return new WordArray(h, 20);
  }
  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = [];
  for (let i = 0; i < 64; i++) MD5_K[i] = (Math.abs(Math.sin(i + 1)) * 0x100000000) | 0;
  function md5(bytes) {
    const p = pad(bytes, true, 8);
    const m = [];
    for (let i = 0; i < p.length; i++) m[i >> 2] |= p[i] << ((i % 4) * 8);
    let [a0, b0, c0, d0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let i = 0; i < m.length; i += 16) {
      let [a, b, c, d] = [a0, b0, c0, d0];
      for (let t = 0; t < 64; t++) {
        let f;
        let g;
        if (t < 16) {
          f = (b & c) | (~b & d);
          g = t;
        } else if (t < 32) {
          f = (d & b) | (~d & c);
          g = (5 * t + 1) % 16;
        } else if (t < 48) {
          f = b ^ c ^ d;
          g = (3 * t + 5) % 16;
        } else {
          f = c ^ (b | ~d);
          g = (7 * t) % 16;
        }
        const tmp = d;
        d = c;
        c = b;
        b = (b + rotl((a + f + MD5_K[t] + (m[i + g] | 0)) | 0, MD5_S[(t >> 4) * 4 + (t % 4)])) | 0;
        a = tmp;
      }
      a0 = (a0 + a) | 0;
      b0 = (b0 + b) | 0;
      c0 = (c0 + c) | 0;
      d0 = (d0 + d) | 0;
    }
    const out = [];
    for (const v of [a0, b0, c0, d0]) for (let i = 0; i < 4; i++) out.push((v >>> (8 * i)) & 255);
    return WordArray.fromBytes(out);
  }
  const K512 = [
    '428a2f98d728ae22', '7137449123ef65cd', 'b5c0fbcfec4d3b2f', 'e9b5dba58189dbbc', '3956c25bf348b538', '59f111f1b605d019', '923f82a4af194f9b', 'ab1c5ed5da6d8118',
    'd807aa98a3030242', '12835b0145706fbe', '243185be4ee4b28c', '550c7dc3d5ffb4e2', '72be5d74f27b896f', '80deb1fe3b1696b1', '9bdc06a725c71235', 'c19bf174cf692694',
    'e49b69c19ef14ad2', 'efbe4786384f25e3', '0fc19dc68b8cd5b5', '240ca1cc77ac9c65', '2de92c6f592b0275', '4a7484aa6ea6e483', '5cb0a9dcbd41fbd4', '76f988da831153b5',
    '983e5152ee66dfab', 'a831c66d2db43210', 'b00327c898fb213f', 'bf597fc7beef0ee4', 'c6e00bf33da88fc2', 'd5a79147930aa725', '06ca6351e003826f', '142929670a0e6e70',
    '27b70a8546d22ffc', '2e1b21385c26c926', '4d2c6dfc5ac42aed', '53380d139d95b3df', '650a73548baf63de', '766a0abb3c77b2a8', '81c2c92e47edaee6', '92722c851482353b',
    'a2bfe8a14cf10364', 'a81a664bbc423001', 'c24b8b70d0f89791', 'c76c51a30654be30', 'd192e819d6ef5218', 'd69906245565a910', 'f40e35855771202a', '106aa07032bbd1b8',
    '19a4c116b8d2d0c8', '1e376c085141ab53', '2748774cdf8eeb99', '34b0bcb5e19b48a8', '391c0cb3c5c95a63', '4ed8aa4ae3418acb', '5b9cca4f7763e373', '682e6ff3d6b2b8a3',
    '748f82ee5defb2fc', '78a5636f43172f60', '84c87814a1f0ab72', '8cc702081a6439ec', '90befffa23631e28', 'a4506cebde82bde9', 'bef9a3f7b2c67915', 'c67178f2e372532b',
    'ca273eceea26619c', 'd186b8c721c0c207', 'eada7dd6cde0eb1e', 'f57d4f7fee6ed178', '06f067aa72176fba', '0a637dc5a2c898a6', '113f9804bef90dae', '1b710b35131c471b',
    '28db77f523047d84', '32caab7b40c72493', '3c9ebe0a15c9bebc', '431d67c49c100d4c', '4cc5d4becb3e42b6', '597f299cfc657e2a', '5fcb6fab3ad6faec', '6c44198c4a475817',
  ];
  let K512n = null;
  function sha512(bytes) {
    const M = (1n << 64n) - 1n;
    if (K512n === null) K512n = K512.map((k) => BigInt('0x' + k));
    const K = K512n;
    const p = pad(bytes, false, 16);
    const rot = (x, n) => ((x >> BigInt(n)) | (x << BigInt(64 - n))) & M;
    const h = ['6a09e667f3bcc908', 'bb67ae8584caa73b', '3c6ef372fe94f82b', 'a54ff53a5f1d36f1', '510e527fade682d1', '9b05688c2b3e6c1f', '1f83d9abfb41bd6b', '5be0cd19137e2179'].map((x) => BigInt('0x' + x));
    const w = new Array(80);
    for (let i = 0; i < p.length; i += 128) {
      for (let t = 0; t < 80; t++) {
        if (t < 16) {
          let v = 0n;
          for (let j = 0; j < 8; j++) v = (v << 8n) | BigInt(p[i + t * 8 + j]);
          w[t] = v;
        } else {
          const s0 = rot(w[t - 15], 1) ^ rot(w[t - 15], 8) ^ (w[t - 15] >> 7n);
          const s1 = rot(w[t - 2], 19) ^ rot(w[t - 2], 61) ^ (w[t - 2] >> 6n);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & M;
        }
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 80; t++) {
        const t1 = (hh + (rot(e, 14) ^ rot(e, 18) ^ rot(e, 41)) + ((e & f) ^ (~e & M & g)) + K[t] + w[t]) & M;
        const t2 = ((rot(a, 28) ^ rot(a, 34) ^ rot(a, 39)) + ((a & b) ^ (a & c) ^ (b & c))) & M;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) & M;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) & M;
      }
      const v = [a, b, c, d, e, f, g, hh];
      for (let j = 0; j < 8; j++) h[j] = (h[j] + v[j]) & M;
    }
    const out = [];
    for (const v of h) for (let j = 7; j >= 0; j--) out.push(Number((v >> BigInt(8 * j)) & 255n));
    return WordArray.fromBytes(out);
  }
  function hmac(hash, blockSize, message, key) {
    let k = toBytes(key);
    if (k.length > blockSize) k = hash(k).bytes();
    while (k.length < blockSize) k.push(0);
    const inner = hash(k.map((b) => b ^ 0x36).concat(toBytes(message))).bytes();
    return hash(k.map((b) => b ^ 0x5c).concat(inner));
  }
  const CryptoJS = Object.freeze({
    lib: { WordArray: { create: (words, sigBytes) => new WordArray(words, sigBytes) } },
    enc: Object.freeze({ Hex, Base64, Utf8, Latin1, Utf16: undefined }),
    MD5: (m) => md5(toBytes(m)),
    SHA1: (m) => sha1(toBytes(m)),
    SHA256: (m) => sha256(toBytes(m)),
    SHA512: (m) => sha512(toBytes(m)),
    HmacMD5: (m, k) => hmac(md5, 64, m, k),
    HmacSHA1: (m, k) => hmac(sha1, 64, m, k),
    HmacSHA256: (m, k) => hmac(sha256, 64, m, k),
    HmacSHA512: (m, k) => hmac(sha512, 128, m, k),
  });

  // ------------------------------------------------------------- base64
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function btoa(input) {
    const s = String(input);
    let out = '';
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i);
      const b = s.charCodeAt(i + 1);
      const c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error('InvalidCharacterError: btoa accepts only Latin-1 characters');
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? B64[n & 63] : '=');
    }
    return out;
  }
  function atob(input) {
    const s = String(input).replace(/[\t\n\f\r ]/g, '').replace(/=+$/, '');
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw new Error('InvalidCharacterError: the string to be decoded is not correctly encoded');
    let out = '';
    let bits = 0;
    let acc = 0;
    for (let i = 0; i < s.length; i++) {
      acc = (acc << 6) | B64.indexOf(s[i]);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((acc >> bits) & 255);
      }
    }
    return out;
  }

  // --------------------------------------------------------------- run state
  let S = null; // the state of the running script

  function record(a) {
    S.assertions.push(a);
    return a;
  }
  // The message of a thrown value; like Postman, none for non-errors.
  function errMessage(e) {
    if (e !== null && typeof e === 'object' && e.message !== undefined) return String(e.message);
    return null;
  }
  function errText(e) {
    if (e instanceof Error || (e && typeof e === 'object' && 'name' in e && 'message' in e)) {
      return (e.name || 'Error') + ': ' + e.message;
    }
    return String(e);
  }
  function test(name, fn) {
    name = String(name);
    if (typeof fn !== 'function') {
      record({ name, passed: true, skipped: false, error: null });
      return pmObj();
    }
    if (fn.length > 0) {
      // Asynchronous test: passes when `done()` is called, fails on `done(err)`.
      const a = record({ name, passed: false, skipped: false, error: null, pending: true });
      const done = (err) => {
        if (!a.pending) return;
        a.pending = false;
        a.passed = !err;
        a.error = err ? errMessage(err) : null;
      };
      try {
        fn(done);
      } catch (e) {
        done(e || new Error(String(e)));
      }
      return pmObj();
    }
    try {
      const r = fn();
      // As in Postman's sandbox, a test that returns a promise has passed:
      // the promise is not awaited (its rejection is dropped).
      if (r && typeof r.then === 'function') r.then(undefined, () => {});
      record({ name, passed: true, skipped: false, error: null });
    } catch (e) {
      record({ name, passed: false, skipped: false, error: errMessage(e) });
    }
    return pmObj();
  }
  test.skip = function (name) {
    record({ name: String(name), passed: true, skipped: true, error: null });
    return pmObj();
  };
  function pmObj() {
    return S.pm;
  }

  function setNext(name) {
    if (name === null) S.next = { stop: true };
    else if (name !== undefined) S.next = { name: String(name) };
  }

  function toHttpRequest(req) {
    if (typeof req === 'string' || req instanceof Url) return { method: 'GET', url: String(req), headers: [], body: null };
    if (req instanceof Request) {
      return { method: req.method, url: req.url.toString(), headers: req.headers.all().filter((h) => !h.disabled).map((h) => [String(h.key), String(h.value)]), body: req.body ? req.body.toString() : null };
    }
    if (!req || typeof req !== 'object') throw new TypeError('pm.sendRequest needs a URL or a request object');
    const headers = [];
    const hs = req.header !== undefined ? req.header : req.headers;
    if (Array.isArray(hs)) hs.forEach((h) => {
      const it = toItem(h);
      if (it && !it.disabled) headers.push([it.key, String(it.value)]);
    });
    else if (hs instanceof PropertyList) hs.all().forEach((h) => headers.push([String(h.key), String(h.value)]));
    else if (hs && typeof hs === 'object') Object.keys(hs).forEach((k) => headers.push([k, String(hs[k])]));
    let body = null;
    const b = req.body;
    if (typeof b === 'string') body = b;
    else if (b && typeof b === 'object') {
      const mode = b.mode || 'raw';
      if (mode === 'raw') body = b.raw === undefined || b.raw === null ? '' : typeof b.raw === 'string' ? b.raw : jsonStringify(b.raw);
      else if (mode === 'urlencoded') {
        body = encodePairs(b.urlencoded || []);
        if (!headers.some((h) => h[0].toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
      } else if (mode === 'graphql') {
        const g = b.graphql || {};
        body = jsonStringify({ query: g.query, variables: typeof g.variables === 'string' && g.variables ? jsonParse(g.variables) : g.variables });
        if (!headers.some((h) => h[0].toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
      } else throw new TypeError('pm.sendRequest does not support body mode ' + mode);
    }
    const url = req.url instanceof Url ? req.url.toString() : req.url && typeof req.url === 'object' ? new Url(req.url).toString() : String(req.url);
    return { method: String(req.method || 'GET').toUpperCase(), url, headers, body };
  }
  function sendRequest(req, callback) {
    const request = toHttpRequest(req);
    const id = ++S.sendSeq;
    let promise;
    if (typeof callback !== 'function') {
      promise = new Promise((resolve, reject) => {
        callback = (err, res) => (err ? reject(err) : resolve(res));
      });
    }
    S.sends.push({ id, request });
    if (S.callbacks === null) S.callbacks = new Map();
    S.callbacks.set(id, callback);
    return promise;
  }

  const timers = { seq: 0 };
  // Timers run on a virtual clock: in order of when they are due, without
  // waiting for the delay.
  function addTimer(fn, ms, args, repeat) {
    const id = ++timers.seq;
    if (S && typeof fn === 'function') {
      const delay = Math.max(0, Number(ms) || 0);
      S.timers.push({ id, at: S.now + delay, seq: id, fn, args, every: repeat ? Math.max(1, delay) : 0 });
    }
    return id;
  }
  function setTimeoutFn(fn, ms) {
    return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), false);
  }
  function setIntervalFn(fn, ms) {
    return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), true);
  }
  function clearTimeoutFn(id) {
    if (S) S.timers = S.timers.filter((t) => t.id !== id);
  }

  function consoleLine(level) {
    return function () {
      if (!S) return;
      const parts = Array.prototype.map.call(arguments, (a) => (typeof a === 'string' ? a : consoleInspect(a)));
      S.console.push(parts.join(' '));
    };
  }
  const consoleObj = Object.freeze({
    log: consoleLine('log'),
    info: consoleLine('info'),
    warn: consoleLine('warn'),
    error: consoleLine('error'),
    debug: consoleLine('debug'),
    trace: consoleLine('trace'),
  });

  function unavailable(name) {
    return function (mod) {
      throw new Error(name + "('" + mod + "') is not available: Portico scripts cannot load modules");
    };
  }
  // require() of the modules of Postman's sandbox that Portico has.
  const MODULES = {
    lodash: () => lodash4(),
    'crypto-js': () => CryptoJS,
    tv4: () => tv4,
    atob: () => G.atob,
    btoa: () => G.btoa,
    url: () => ({ URL: G.URL, URLSearchParams: G.URLSearchParams }),
    buffer: () => ({ Buffer: BufferImpl }),
    uuid: () => ({ v4: uuid }),
    chai: () => ({ expect, AssertionError }),
  };
  function requireFn(mod) {
    const name = String(mod);
    if (hasOwn(MODULES, name)) return MODULES[name]();
    return unavailable('require')(name);
  }

  // Parameters every script function receives (legacy sandbox globals).
  const PARAMS = ['pm', 'postman', 'tests', 'request', 'responseBody', 'responseCode', 'responseHeaders', 'responseTime', 'responseCookies', 'environment', 'globals', 'data', 'iteration', 'require', 'tv4', 'CryptoJS', '_', 'xml2Json'];
  const compiled = new Map();
  // A script compiled once per distinct source, with the legacy globals it
  // mentions (the others are not built for it).
  function compile(source) {
    let c = compiled.get(source);
    if (c === undefined) {
      // The legacy globals are parameters of an outer function; the script
      // is the body of an inner one, so that it may declare the same names
      // (`const data = pm.response.json()`, `const _ = require('lodash')`).
      const wrap = (isAsync) => 'return (' + (isAsync ? 'async ' : '') + 'function () {\n' + source + '\n}).call(this);';
      let fn;
      try {
        fn = Function.apply(null, PARAMS.concat([wrap(false)]));
      } catch (e) {
        // Top-level `await`: the script becomes an async function.
        if (!(e instanceof SyntaxError) || !/\bawait\b/.test(source)) throw e;
        fn = Function.apply(null, PARAMS.concat([wrap(true)]));
      }
      const uses = {};
      for (const p of PARAMS) uses[p] = source.indexOf(p) !== -1;
      c = { fn, uses };
      if (compiled.size >= 256) compiled.clear();
      compiled.set(source, c);
    }
    return c;
  }


  // pm.variables: local > data > environment > collection > globals.
  class Variables {
    constructor(chain) {
      this._chain = chain;
    }
    _lookup(k) {
      const chain = this._chain;
      for (let i = 0; i < chain.length; i++) if (chain[i]._m.has(k)) return chain[i]._m.get(k);
      return undefined;
    }
    get(k) {
      return this._lookup(String(k));
    }
    has(k) {
      k = String(k);
      return this._chain.some((s) => s._m.has(k));
    }
    set(k, v) {
      this._chain[0].set(k, v);
      return this;
    }
    unset(k) {
      this._chain[0].unset(k);
      return this;
    }
    toObject() {
      const o = {};
      for (let i = this._chain.length - 1; i >= 0; i--) Object.assign(o, this._chain[i].toObject());
      return o;
    }
    replaceIn(t) {
      return substitute(t, (n) => {
        const chain = this._chain;
        for (let i = 0; i < chain.length; i++) if (chain[i]._m.has(n)) return chain[i]._m.get(n);
        return MISSING;
      });
    }
  }

  const execution = Object.freeze({
    skipRequest() {
      S.skip = true;
    },
    setNextRequest: setNext,
    get location() {
      return [S.info.requestName];
    },
  });
  const visualizer = Object.freeze({ set() {}, clear() {} });

  // The `pm` object of one script.
  class Pm {
    constructor(st, scopes, response) {
      const info = st.info;
      this.info = {
        eventName: info.event,
        iteration: info.iteration,
        iterationCount: info.iterationCount,
        requestName: info.requestName,
        requestId: info.requestId,
      };
      this.environment = scopes.environment;
      this.globals = scopes.globals;
      this.collectionVariables = scopes.collection;
      this.iterationData = scopes.data;
      this.variables = new Variables([scopes.local, scopes.data, scopes.environment, scopes.collection, scopes.globals]);
      if (response) this.response = response;
      this.test = test;
      this.expect = expect;
      this.sendRequest = sendRequest;
      this.setNextRequest = setNext;
      this.execution = execution;
      this.visualizer = visualizer;
      this._st = st;
      this._cookies = null;
    }
    // Built when a script first looks at it.
    get request() {
      if (S.request === null) {
        const request = new Request(this._st.request);
        S.request = request;
        S.origRequest = jsonStringify(request.toJSON());
        S.origBody = request.body === undefined ? null : request.body.toString();
      }
      return S.request;
    }
    get cookies() {
      if (this._cookies === null) this._cookies = this.response ? cookieList(this.response.headers) : new PropertyList([], false);
      return this._cookies;
    }
  }

  // The legacy `environment`/`globals` objects: read-only views that follow
  // the scope (postman.setEnvironmentVariable shows up in them).
  function liveView(scope) {
    return new Proxy(
      {},
      {
        get: (t, k) => (typeof k === 'string' && scope._m.has(k) ? scope._m.get(k) : undefined),
        has: (t, k) => typeof k === 'string' && scope._m.has(k),
        ownKeys: () => Array.from(scope._m.keys()),
        getOwnPropertyDescriptor: (t, k) =>
          typeof k === 'string' && scope._m.has(k) ? { value: scope._m.get(k), enumerable: true, configurable: true, writable: false } : undefined,
        set: () => true,
        deleteProperty: () => true,
      },
    );
  }

  function legacyPostman(environment, globals, response) {
    return {
      setEnvironmentVariable: (k, v) => environment.set(k, v === undefined ? v : String(v)) && undefined,
      getEnvironmentVariable: (k) => environment.get(k),
      clearEnvironmentVariable: (k) => environment.unset(k) && undefined,
      clearEnvironmentVariables: () => environment.clear() && undefined,
      setGlobalVariable: (k, v) => globals.set(k, v === undefined ? v : String(v)) && undefined,
      getGlobalVariable: (k) => globals.get(k),
      clearGlobalVariable: (k) => globals.unset(k) && undefined,
      clearGlobalVariables: () => globals.clear() && undefined,
      setNextRequest: setNext,
      getResponseHeader: (k) => (response ? response.headers.get(k) : undefined),
      getResponseCookie: (k) => {
        const ck = response ? cookieList(response.headers).one(k) : undefined;
        return ck ? { name: ck.key, value: ck.value } : undefined;
      },
    };
  }

  function start(stateJson, responseBody, source) {
    const st = jsonParse(stateJson);
    const sc = st.scopes;
    const scopes = {
      environment: new VariableScope(mapOf(sc.environment)),
      globals: new VariableScope(mapOf(sc.globals)),
      collection: new VariableScope(mapOf(sc.collection)),
      local: new VariableScope(mapOf(sc.local)),
      data: new VariableScope(mapOf(sc.data), true),
    };
    const info = st.info;
    const response = st.response ? new Response(st.response, responseBody) : undefined;
    S = {
      assertions: [],
      console: [],
      error: null,
      next: null,
      skip: false,
      sends: [],
      callbacks: null,
      sendSeq: 0,
      timers: [],
      now: 0,
      pm: null,
      scopes,
      request: null,
      origRequest: null,
      origBody: null,
      event: info.event,
      info,
      tests: {},
    };
    const pm = new Pm(st, scopes, response);
    S.pm = pm;
    let c;
    try {
      c = compile(source);
    } catch (e) {
      S.error = errText(e);
      return;
    }
    const u = c.uses;
    const args = [pm, undefined, S.tests];
    if (u.postman) args[1] = legacyPostman(scopes.environment, scopes.globals, response);
    if (u.request) {
      const request = pm.request;
      args[3] = {
        id: info.requestId,
        name: info.requestName,
        url: request.url.toString(),
        method: request.method,
        headers: request.headers.toObject(true, false),
        data: request.body ? request.body.toString() : {},
      };
    }
    if (response) {
      if (u.responseBody) args[4] = response.text();
      if (u.responseCode) args[5] = { code: response.code, name: response.status, detail: response.status };
      if (u.responseHeaders) {
        const headersObj = {};
        response.headers.each((h) => (headersObj[h.key] = h.value));
        args[6] = headersObj;
      }
      args[7] = response.responseTime;
      if (u.responseCookies) args[8] = cookieList(response.headers).all().map((ck) => ({ name: ck.key, value: ck.value }));
    }
    if (u.environment) args[9] = liveView(scopes.environment);
    if (u.globals) args[10] = liveView(scopes.globals);
    if (u.data) args[11] = scopes.data.toObject();
    args[12] = info.iteration;
    args[13] = requireFn;
    args[14] = tv4;
    args[15] = CryptoJS;
    if (u._) args[16] = lodash();
    args[17] = xml2Json;
    try {
      const r = c.fn.apply(undefined, args);
      if (r instanceof Promise) {
        const run = S;
        r.then(undefined, (e) => {
          if (S === run && S.error === null) S.error = errText(e);
        });
      }
    } catch (e) {
      // When memory runs out, QuickJS may have no room left for the error
      // object and throws null; a script that never throws cannot have.
      S.error = e === null && !/\bthrow\b/.test(source) ? 'InternalError: out of memory' : errText(e);
    }
  }

  // One step after the script body: hands out the requests of
  // pm.sendRequest waiting to be sent (their answers come before timers),
  // or runs the next timer ('[]'), or says that nothing is left ('').
  function pump() {
    if (S.sends.length) {
      const out = S.sends;
      S.sends = [];
      return jsonStringify(out);
    }
    if (!S.timers.length) return '';
    let best = 0;
    for (let i = 1; i < S.timers.length; i++) {
      const t = S.timers[i];
      const b = S.timers[best];
      if (t.at < b.at || (t.at === b.at && t.seq < b.seq)) best = i;
    }
    const t = S.timers[best];
    S.now = t.at;
    if (t.every) {
      t.at += t.every;
      t.seq = ++timers.seq;
    } else {
      S.timers.splice(best, 1);
    }
    try {
      t.fn.apply(undefined, t.args);
    } catch (e) {
      if (S.error === null) S.error = errText(e);
    }
    return '[]';
  }

  function deliver(id, error, responseJson, body) {
    const cb = S.callbacks.get(id);
    S.callbacks.delete(id);
    if (typeof cb !== 'function') return;
    try {
      if (error !== null && error !== undefined) cb(new Error(error), undefined);
      else cb(null, new Response(jsonParse(responseJson), body));
    } catch (e) {
      if (S.error === null) S.error = errText(e);
    }
  }

  // The outcome as JSON, written by hand: JSON.stringify of a whole object
  // costs more than the rest of a small script.
  const str = (v) => (v === null || v === undefined ? 'null' : jsonStringify(String(v)));
  function assertionJson(name, passed, skipped, error) {
    return '{"name":' + str(name) + ',"passed":' + (passed ? 'true' : 'false') + ',"skipped":' + (skipped ? 'true' : 'false') + ',"error":' + str(error) + '}';
  }
  function finish() {
    const parts = [];
    for (const a of S.assertions) {
      if (a.pending) parts.push(assertionJson(a.name, false, false, 'the test did not finish (done() was not called)'));
      else parts.push(assertionJson(a.name, !!a.passed, !!a.skipped, a.error));
    }
    for (const name of Object.keys(S.tests)) {
      const v = S.tests[name];
      parts.push(assertionJson(name, !!v, false, v ? null : 'expected ' + String(v) + ' to be truthy'));
    }
    let out = '{"assertions":[' + parts.join(',') + ']';
    if (S.console.length) out += ',"console":[' + S.console.map(str).join(',') + ']';
    if (S.error !== null) out += ',"error":' + str(S.error);
    if (S.next !== null) out += ',"next":' + jsonStringify(S.next);
    if (S.skip) out += ',"skip":true';
    let scopes = '';
    for (const k of ['environment', 'globals', 'collection', 'local']) {
      const s = S.scopes[k];
      if (s._dirty) {
        let text;
        try {
          text = jsonStringify(s.toObject());
        } catch (e) {
          text = '{}';
          if (S.error === null) out += ',"error":' + str('the ' + k + ' variables could not be saved: ' + errText(e));
        }
        scopes += (scopes ? ',' : '') + '"' + k + '":' + text;
      }
    }
    if (scopes) out += ',"scopes":{' + scopes + '}';
    if (S.event === 'prerequest' && S.request !== null) {
      const r = S.request;
      const now = jsonStringify(r.toJSON());
      if (now !== S.origRequest) {
        const req = {
          method: String(r.method),
          url: r.url.toString(),
          headers: r.headers.all().filter((h) => !h.disabled).map((h) => [String(h.key), String(h.value)]),
        };
        const body = r.body === undefined ? null : r.body.toString();
        if (body !== S.origBody) req.body = body;
        out += ',"request":' + jsonStringify(req);
      }
    }
    out += '}';
    S = null;
    return out;
  }

  function define(name, value) {
    Object.defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  }
  define('console', consoleObj);
  if (typeof G.URL !== 'function') define('URL', URLImpl);
  define('Buffer', BufferImpl);
  if (typeof G.TextEncoder !== 'function') define('TextEncoder', TextEncoderImpl);
  if (typeof G.TextDecoder !== 'function') define('TextDecoder', TextDecoderImpl);
  if (typeof G.structuredClone !== 'function') define('structuredClone', structuredCloneImpl);
  if (typeof G.URLSearchParams !== 'function') define('URLSearchParams', URLSearchParamsImpl);
  // QuickJS's own atob/btoa when it has them (same behaviour, native speed).
  if (typeof G.atob !== 'function') define('atob', atob);
  if (typeof G.btoa !== 'function') define('btoa', btoa);
  define('setTimeout', setTimeoutFn);
  define('clearTimeout', clearTimeoutFn);
  define('setImmediate', (fn) => setTimeoutFn(fn, 0));
  define('setInterval', setIntervalFn);
  define('clearInterval', clearTimeoutFn);
  Object.defineProperty(G, '__portico', {
    value: Object.freeze({ start, pump, deliver, finish }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
})(globalThis);
