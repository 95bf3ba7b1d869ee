package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// WithFileRoots lets CSV sources read files at or under roots (folders or
// single files) and nowhere else, so a configuration cannot make the worker
// read its own keys or any other file it can open. Without roots no CSV
// source is allowed.
func (r *Registry) WithFileRoots(roots ...string) *Registry {
	r.fileRoots = append(r.fileRoots, roots...)
	return r
}

// allowedFile returns path, resolved, when it lies at or under one of the
// file roots once symbolic links are followed.
func (r *Registry) allowedFile(path string) (string, error) {
	if len(r.fileRoots) == 0 {
		return "", errors.New("this worker reads no CSV files: start it with --csv-dir naming the folder the exports are put in")
	}
	resolved, err := resolve(path)
	if err != nil {
		return "", err
	}
	var roots []string
	for _, root := range r.fileRoots {
		rr, err := resolve(root)
		if err != nil {
			continue // a root that does not exist holds nothing
		}
		if resolved == rr || strings.HasPrefix(resolved, rr+string(filepath.Separator)) {
			return resolved, nil
		}
		roots = append(roots, root)
	}
	return "", fmt.Errorf("%s is outside the folders this worker reads CSV files from (%s)", path, strings.Join(roots, ", "))
}

// resolve makes path absolute and follows its symbolic links; a file that
// does not exist yet resolves through its folder, so an export that is late
// is a retryable miss rather than a refusal.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		var dir string
		if dir, err = filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			return filepath.Join(dir, filepath.Base(abs)), nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return abs, nil // nothing there to follow
		}
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return real, nil
}
