package api

// OpenAPIDocument is the served contract, for the tests that hold the
// router and the API tests' traffic to it.
var OpenAPIDocument = openAPIJSON
