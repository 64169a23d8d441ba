package check

// RelativeTarget exports relativeTarget to the tests.
var RelativeTarget = relativeTarget
