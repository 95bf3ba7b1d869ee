package main

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// envNamePattern is what an environment variable of hrsync's, or of its
// Temporal connection, is called.
var envNamePattern = regexp.MustCompile(`^(HRSYNC|TEMPORAL)_[A-Z0-9_]+$`)

// envTableFile is where workerEnv lives; the walk leaves it out, or the
// table would find itself.
const envTableFile = "env.go"

// sourceEnvNames walks the non-test Go files of the package in dir (a
// folder of this module, relative to the worker's) and of every package of
// the module it imports, directly or not, and returns the string literals
// shaped like an environment variable's name, each with where it was first
// seen.
func sourceEnvNames(t *testing.T, dir string) map[string]string {
	t.Helper()
	modPath := modulePath(t)
	names := map[string]string{}
	seen := map[string]bool{}
	fset := token.NewFileSet()
	var visit func(dir string)
	visit = func(dir string) {
		dir = filepath.Clean(dir)
		if seen[dir] {
			return
		}
		seen[dir] = true
		pkg, err := build.Default.ImportDir(dir, 0)
		require.NoError(t, err, dir)
		for _, name := range append(slices.Clone(pkg.GoFiles), pkg.CgoFiles...) {
			path := filepath.Join(dir, name)
			if dir == "." && name == envTableFile {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && envNamePattern.MatchString(s) {
					if _, ok := names[s]; !ok {
						names[s] = fset.Position(lit.Pos()).String()
					}
				}
				return true
			})
		}
		for _, imp := range pkg.Imports {
			if rest, ok := strings.CutPrefix(imp, modPath+"/"); ok {
				visit(filepath.Join("..", filepath.FromSlash(rest)))
			}
		}
	}
	visit(dir)
	return names
}

// modulePath is the module's path, from go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// TestWorkerEnvTableMatchesTheSources keeps workerEnv, which `worker
// --help` shows and the compose test checks against, equal to the
// variables the worker's code reads: every HRSYNC_/TEMPORAL_ name written in
// the worker or a package of this module it uses is in the table, and every
// name in the table is written somewhere there.
func TestWorkerEnvTableMatchesTheSources(t *testing.T) {
	found := sourceEnvNames(t, ".")
	require.NotEmpty(t, found)
	var problems []string
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range found {
			if !yield(n) {
				return
			}
		}
	}) {
		if !readsEnv(name) {
			problems = append(problems, name+" is read at "+found[name]+" but missing from workerEnv (worker/env.go)")
		}
	}
	for _, v := range workerEnv {
		require.Regexp(t, envNamePattern, v.Name)
		require.NotEmpty(t, v.Meaning, v.Name)
		if _, ok := found[v.Name]; !ok {
			problems = append(problems, "workerEnv lists "+v.Name+", which no source of the worker reads")
		}
	}
	require.Empty(t, problems, strings.Join(problems, "\n"))
}

func TestWorkerHelpListsTheEnvironment(t *testing.T) {
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--help"})
	require.NoError(t, cmd.Execute())
	help := out.String()
	require.Contains(t, help, "\nEnvironment:\n")
	for _, v := range workerEnv {
		require.Contains(t, help, v.Name)
	}
	require.Less(t, strings.Index(help, "Flags:"), strings.Index(help, "Environment:"))

	// A subcommand's help is its own.
	out.Reset()
	cmd = newRootCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"probe", "--help"})
	require.NoError(t, cmd.Execute())
	require.NotContains(t, out.String(), "Environment:")
}
