package main

// doesNotFitError is a network that the estimate says cannot fit in the memory the run may use.
type doesNotFitError struct{ msg string }

func (e *doesNotFitError) Error() string { return e.msg }
