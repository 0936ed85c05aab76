//! Issue 11: `pm.expect` with the common chai chains, passing and failing,
//! with chai's failure messages (newman prints them in its report).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fails_with, passes, single, test_script};

/// Issue 11: equal/eq/equals and their `.not` forms, chai messages.
#[test]
fn equal_family() {
    passes("pm.expect(pm.response.code).to.equal(200)");
    passes("pm.expect(1).to.eq(1)");
    passes("pm.expect('a').equals('a')");
    passes("pm.expect(1).to.not.equal(2)");
    fails_with("pm.expect(pm.response.code).to.equal(201)", "expected 200 to equal 201");
    fails_with("pm.expect('foo').to.equal('bar')", "expected 'foo' to equal 'bar'");
    fails_with("pm.expect(1).to.not.equal(1)", "expected 1 to not equal 1");
    fails_with(
        "pm.expect({a: 1}).to.equal({a: 1})",
        "expected { a: 1 } to equal { a: 1 }",
    );
    fails_with("pm.expect(null).to.eq(undefined)", "expected null to equal undefined");
}

/// Issue 11: eql / deep.equal compare structure.
#[test]
fn deep_equality() {
    passes("pm.expect({a: [1, {b: 2}]}).to.eql({a: [1, {b: 2}]})");
    passes("pm.expect([1, 2]).to.deep.equal([1, 2])");
    passes("pm.expect(pm.response.json().tags).to.deep.equal(['a', 'b'])");
    passes("pm.expect({a: 1}).to.not.eql({a: 2})");
    fails_with(
        "pm.expect({a: 1}).to.eql({a: 2})",
        "expected { a: 1 } to deeply equal { a: 2 }",
    );
    fails_with(
        "pm.expect([1, 2]).to.deep.equal([2, 1])",
        "expected [ 1, 2 ] to deeply equal [ 2, 1 ]",
    );
    fails_with(
        "pm.expect([1]).to.not.eql([1])",
        "expected [ 1 ] to not deeply equal [ 1 ]",
    );
}

/// Issue 11: ok, true, false, null, undefined, exist, NaN, empty.
#[test]
fn property_assertions() {
    passes("pm.expect(1).to.be.ok");
    passes("pm.expect(true).to.be.true");
    passes("pm.expect(false).to.be.false");
    passes("pm.expect(null).to.be.null");
    passes("pm.expect(undefined).to.be.undefined");
    passes("pm.expect(0).to.exist");
    passes("pm.expect(NaN).to.be.NaN");
    passes("pm.expect([]).to.be.empty");
    passes("pm.expect('').to.be.empty");
    passes("pm.expect({}).to.be.empty");
    passes("pm.expect([1]).to.not.be.empty");
    passes("pm.expect(null).to.not.exist");
    fails_with("pm.expect(0).to.be.ok", "expected +0 to be truthy");
    fails_with("pm.expect(1).to.not.be.ok", "expected 1 to be falsy");
    fails_with("pm.expect('true').to.be.true", "expected 'true' to be true");
    fails_with("pm.expect(0).to.be.false", "expected +0 to be false");
    fails_with("pm.expect(0).to.be.null", "expected +0 to be null");
    fails_with("pm.expect(null).to.not.be.null", "expected null not to be null");
    fails_with("pm.expect(1).to.be.undefined", "expected 1 to be undefined");
    fails_with("pm.expect(undefined).to.exist", "expected undefined to exist");
    fails_with("pm.expect('x').to.not.exist", "expected 'x' to not exist");
    fails_with("pm.expect(1).to.be.NaN", "expected 1 to be NaN");
    fails_with("pm.expect([1, 2]).to.be.empty", "expected [ 1, 2 ] to be empty");
    fails_with("pm.expect('').to.not.be.empty", "expected '' not to be empty");
    fails_with("pm.expect(5).to.be.empty", ".empty was passed non-string primitive 5");
}

/// Issue 11: a/an(type).
#[test]
fn type_checks() {
    passes("pm.expect('s').to.be.a('string')");
    passes("pm.expect([]).to.be.an('array')");
    passes("pm.expect({}).to.be.an('object')");
    passes("pm.expect(null).to.be.a('null')");
    passes("pm.expect(1).to.be.a('number').and.to.equal(1)");
    passes("pm.expect(pm.response.json()).to.be.an('object').that.has.property('id')");
    passes("pm.expect(1).to.not.be.a('string')");
    fails_with("pm.expect(5).to.be.a('string')", "expected 5 to be a string");
    fails_with("pm.expect([]).to.be.an('object')", "expected [] to be an object");
    fails_with(
        "pm.expect('x').to.not.be.a('string')",
        "expected 'x' not to be a string",
    );
}

/// Issue 11: include/contain on strings, arrays, objects; deep.include.
#[test]
fn include_family() {
    passes("pm.expect('foobar').to.include('oba')");
    passes("pm.expect([1, 2, 3]).to.contain(2)");
    passes("pm.expect({a: 1, b: 2}).to.include({a: 1})");
    passes("pm.expect([{a: 1}]).to.deep.include({a: 1})");
    passes("pm.expect(pm.response.text()).to.include('Ada')");
    passes("pm.expect([1, 2]).to.not.include(3)");
    passes("pm.expect('abc').includes('b')");
    passes("pm.expect('abc').contains('c')");
    fails_with("pm.expect('abc').to.include('d')", "expected 'abc' to include 'd'");
    fails_with("pm.expect([1, 2]).to.include(3)", "expected [ 1, 2 ] to include 3");
    fails_with(
        "pm.expect([{a: 1}]).to.include({a: 1})",
        "expected [ { a: 1 } ] to include { a: 1 }",
    );
    fails_with(
        "pm.expect([{a: 1}]).to.deep.include({a: 2})",
        "expected [ { a: 1 } ] to deep include { a: 2 }",
    );
    fails_with(
        "pm.expect([1, 2]).to.not.include(2)",
        "expected [ 1, 2 ] to not include 2",
    );
    fails_with(
        "pm.expect({a: 1}).to.include({a: 2})",
        "expected { a: 1 } to have property 'a' of 2, but got 1",
    );
    fails_with(
        "pm.expect({a: 1}).to.include({b: 1})",
        "expected { a: 1 } to have property 'b'",
    );
}

/// Issue 11: property(name[, value]), nested.property, own property; the chain continues on the value.
#[test]
fn property_family() {
    passes("pm.expect({a: 1}).to.have.property('a')");
    passes("pm.expect({a: 1}).to.have.property('a', 1)");
    passes("pm.expect({a: {b: [5, 6]}}).to.have.nested.property('a.b[1]', 6)");
    passes("pm.expect({a: 1}).to.have.property('a').that.equals(1)");
    passes("pm.expect({a: 1}).to.not.have.property('b')");
    passes("pm.expect({a: {x: 1}}).to.have.deep.property('a', {x: 1})");
    passes("pm.expect({a: 1}).to.have.ownProperty('a')");
    fails_with(
        "pm.expect({a: 1}).to.have.property('b')",
        "expected { a: 1 } to have property 'b'",
    );
    fails_with(
        "pm.expect({a: 1}).to.have.property('a', 2)",
        "expected { a: 1 } to have property 'a' of 2, but got 1",
    );
    fails_with(
        "pm.expect({a: 1}).to.not.have.property('a')",
        "expected { a: 1 } to not have property 'a'",
    );
    fails_with(
        "pm.expect({a: {b: 1}}).to.have.nested.property('a.c')",
        "expected { a: { b: 1 } } to have nested property 'a.c'",
    );
    fails_with(
        "pm.expect({a: 1}).to.have.property('a').that.equals(2)",
        "expected 1 to equal 2",
    );
    fails_with(
        "pm.expect(undefined).to.have.property('a')",
        "Target cannot be null or undefined.",
    );
}

/// Issue 11: length/lengthOf, also chained with above/below.
#[test]
fn length_family() {
    passes("pm.expect([1, 2, 3]).to.have.length(3)");
    passes("pm.expect('abc').to.have.lengthOf(3)");
    passes("pm.expect([1, 2, 3]).to.have.length.above(2)");
    passes("pm.expect([1]).to.have.lengthOf.below(2)");
    passes("pm.expect(pm.response.json().tags).to.have.lengthOf(2)");
    fails_with(
        "pm.expect([1, 2]).to.have.lengthOf(3)",
        "expected [ 1, 2 ] to have a length of 3 but got 2",
    );
    fails_with(
        "pm.expect('ab').to.not.have.length(2)",
        "expected 'ab' to not have a length of 2",
    );
    fails_with(
        "pm.expect([1]).to.have.length.above(2)",
        "expected [ 1 ] to have a length above 2 but got 1",
    );
    fails_with("pm.expect(5).to.have.length(1)", "expected 5 to have property 'length'");
}

/// Issue 11: above/gt/greaterThan, below/lt/lessThan, least/gte, most/lte, within.
#[test]
fn comparisons() {
    passes("pm.expect(5).to.be.above(4)");
    passes("pm.expect(5).to.be.gt(4)");
    passes("pm.expect(5).to.be.greaterThan(4)");
    passes("pm.expect(3).to.be.below(4)");
    passes("pm.expect(3).to.be.lt(4)");
    passes("pm.expect(3).to.be.lessThan(4)");
    passes("pm.expect(4).to.be.at.least(4)");
    passes("pm.expect(4).to.be.gte(4)");
    passes("pm.expect(4).to.be.at.most(4)");
    passes("pm.expect(4).to.be.lte(4)");
    passes("pm.expect(pm.response.responseTime).to.be.below(500)");
    passes("pm.expect(5).to.be.within(1, 10)");
    passes("pm.expect(5).to.not.be.above(5)");
    fails_with("pm.expect(5).to.be.above(5)", "expected 5 to be above 5");
    fails_with("pm.expect(6).to.not.be.above(5)", "expected 6 to be at most 5");
    fails_with("pm.expect(5).to.be.below(5)", "expected 5 to be below 5");
    fails_with("pm.expect(3).to.be.at.least(4)", "expected 3 to be at least 4");
    fails_with("pm.expect(5).to.be.at.most(4)", "expected 5 to be at most 4");
    fails_with("pm.expect(11).to.be.within(1, 10)", "expected 11 to be within 1..10");
    fails_with(
        "pm.expect(5).to.not.be.within(1, 10)",
        "expected 5 to not be within 1..10",
    );
    fails_with("pm.expect('5').to.be.above(4)", "expected '5' to be a number or a date");
}

/// Issue 11: match, oneOf, instanceof, string.
#[test]
fn match_oneof_instanceof_string() {
    passes("pm.expect('abc123').to.match(/\\d+/)");
    passes("pm.expect(2).to.be.oneOf([1, 2, 3])");
    passes("pm.expect([]).to.be.an.instanceof(Array)");
    passes("pm.expect('hello world').to.have.string('lo w')");
    fails_with("pm.expect('abc').to.match(/\\d/)", "expected 'abc' to match /\\d/");
    fails_with(
        "pm.expect('a1').to.not.match(/\\d/)",
        "expected 'a1' not to match /\\d/",
    );
    fails_with(
        "pm.expect(4).to.be.oneOf([1, 2, 3])",
        "expected 4 to be one of [ 1, 2, 3 ]",
    );
    fails_with(
        "pm.expect({}).to.be.an.instanceof(Array)",
        "expected {} to be an instance of Array",
    );
    fails_with("pm.expect('abc').to.have.string('x')", "expected 'abc' to contain 'x'");
}

/// Issue 11: keys / any.keys / all.keys / contain.keys.
#[test]
fn keys_family() {
    passes("pm.expect({a: 1, b: 2}).to.have.keys('a', 'b')");
    passes("pm.expect({a: 1, b: 2}).to.have.all.keys(['a', 'b'])");
    passes("pm.expect({a: 1, b: 2}).to.have.any.keys('a', 'z')");
    passes("pm.expect({a: 1, b: 2}).to.contain.keys('a')");
    passes("pm.expect(pm.response.json()).to.include.all.keys('id', 'name')");
    fails_with(
        "pm.expect({a: 1, b: 2}).to.have.keys('a')",
        "expected { a: 1, b: 2 } to have key 'a'",
    );
    fails_with(
        "pm.expect({a: 1}).to.have.all.keys('a', 'b')",
        "expected { a: 1 } to have keys 'a', and 'b'",
    );
    fails_with(
        "pm.expect({a: 1}).to.have.any.keys('x', 'y')",
        "expected { a: 1 } to have keys 'x', or 'y'",
    );
    fails_with(
        "pm.expect({a: 1}).to.not.have.keys('a')",
        "expected { a: 1 } to not have key 'a'",
    );
}

/// Issue 11: members / include.members (order-free), deep members.
#[test]
fn members_family() {
    passes("pm.expect([1, 2, 3]).to.have.members([3, 2, 1])");
    passes("pm.expect([1, 2, 3]).to.include.members([1, 2])");
    passes("pm.expect([{a: 1}]).to.have.deep.members([{a: 1}])");
    fails_with(
        "pm.expect([1, 2]).to.have.members([1, 3])",
        "expected [ 1, 2 ] to have the same members as [ 1, 3 ]",
    );
    fails_with(
        "pm.expect([1, 2]).to.include.members([3])",
        "expected [ 1, 2 ] to be a superset of [ 3 ]",
    );
}

/// Issue 11: chain words are no-ops, `.not` flips, and a custom message prefixes the failure.
#[test]
fn chains_and_messages() {
    passes("pm.expect(1).to.be.been.is.that.which.and.has.have.with.at.of.same.equal(1)");
    passes("pm.expect(1).not.to.equal(2)");
    fails_with(
        "pm.expect(1, 'status check').to.equal(2)",
        "status check: expected 1 to equal 2",
    );
    fails_with("pm.expect.fail('nope')", "nope");
}

/// Issue 11: long values are shortened the way chai (loupe, 40 characters) does.
#[test]
fn long_values_are_shortened() {
    fails_with(
        "pm.expect([1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]).to.include(99)",
        "expected [ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …(6) ] to include 99",
    );
    fails_with(
        "pm.expect({alpha: 'aaaaaaaa', beta: 'bbbbbbbbbb', gamma: 'ccccccc'}).to.be.empty",
        "expected { alpha: 'aaaaaaaa', …(2) } to be empty",
    );
    fails_with(
        "pm.expect('a rather long string that goes on and on and on').to.equal('x')",
        "expected 'a rather long string that goes on and…' to equal 'x'",
    );
}

/// Issue 11: an exception inside a test fails that test (with its message),
/// other tests of the script still run.
#[test]
fn exceptions_fail_only_their_test() {
    let out = test_script(
        "pm.test('boom', () => { null.x; });\n\
         pm.test('fine', () => { pm.expect(1).to.equal(1); });",
    );
    assert!(out.error.is_none());
    assert_eq!(out.assertions.len(), 2);
    assert!(!out.assertions[0].passed);
    let msg = out.assertions[0].error.clone().unwrap_or_default();
    assert!(msg.contains("null"), "{msg}");
    assert!(out.assertions[1].passed);
    let (passed, _) = single(&test_script("pm.test('x', function () {})"));
    assert!(passed);
}

/// Issue 11: a misspelt chain fails the test as chai's proxy does, instead of passing silently.
#[test]
fn misspelt_properties_fail() {
    fails_with(
        "pm.expect(undefined).to.be.undefinedd",
        "Invalid Chai property: undefinedd. Did you mean \"undefined\"?",
    );
    fails_with("pm.expect(1).to.be.xyzzyplugh", "Invalid Chai property: xyzzyplugh");
}

/// Issue 11: chai's argument checks of the comparisons and closeTo.
#[test]
fn comparison_argument_checks() {
    fails_with(
        "pm.expect(new Date(0)).to.be.below(2)",
        "the argument to below must be a date",
    );
    fails_with(
        "pm.expect(new Date(0)).to.be.within(0, 2)",
        "the arguments to within must be dates",
    );
    fails_with(
        "pm.expect(5).to.be.above('1')",
        "the argument to above must be a number",
    );
    fails_with(
        "pm.expect([1, 2, 3]).to.be.above(0)",
        "expected 1,2,3 to be a number or a date",
    );
    fails_with("pm.expect(true).to.be.closeTo(1, 0.5)", "expected true to be a number");
    fails_with(
        "pm.expect(null).to.have.lengthOf(3)",
        "Target cannot be null or undefined.",
    );
    fails_with(
        "pm.expect(new Map([[1, 2]])).to.have.lengthOf(2)",
        "expected Map{} to have a size of 2 but got 1",
    );
    passes("pm.expect(new Date(5)).to.be.within(new Date(0), new Date(10))");
    passes("pm.expect('abc').to.have.lengthOf('3')");
}
