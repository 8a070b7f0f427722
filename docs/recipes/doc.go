// Package recipes holds the copy-in recipes of resilient's documentation:
// one directory per recipe, each a package whose example_test.go is the
// recipe's code (runnable Example functions with "// Output:", against
// httptest loopback servers) and whose README.md explains it and embeds that
// file verbatim.
//
// go test ./docs/recipes/... builds and runs every recipe's examples, so a
// recipe that no longer compiles or whose output changes fails the build;
// this package's test (recipes_test.go) fails when a README's embedded code
// differs from its example_test.go, or when a recipe has no Example with an
// Output comment. docs/README.md lists the recipes.
package recipes
