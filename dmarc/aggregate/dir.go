package aggregate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadDir reads the regular files directly in dir (names starting with
// "." are skipped), in name order, each as ReadFile does: XML, gzip,
// zip, .eml messages or mbox files. Its sub-folders are not read: each
// is yielded as an error wrapping ErrNotRegular, so that reports filed
// by month or by receiver are not silently left out. At most
// MaxMessages files and sub-folders are listed: past that, an error
// wrapping ErrTooManyMessages is yielded and the files beyond the first
// MaxMessages listed (in the folder's own order) are not read.
func ReadDir(ctx context.Context, dir string, opts Options) iter.Seq2[*Report, error] {
	return func(yield func(*Report, error) bool) {
		w := newWalker(ctx, opts, yield)
		w.dir(dir, []string{""}, false)
	}
}

// ReadMaildir reads the messages of a Maildir folder: new/, then cur/
// (tmp/ holds messages still being delivered and is skipped), in name
// order, which for Maildir names is about the order of delivery. At most
// MaxMessages messages are read, as ReadDir.
func ReadMaildir(ctx context.Context, dir string, opts Options) iter.Seq2[*Report, error] {
	return func(yield func(*Report, error) bool) {
		w := newWalker(ctx, opts, yield)
		w.dir(dir, []string{"new", "cur"}, true)
	}
}

// Open reads the reports at location, picking by what it is: an
// imaps:// URL (ReadIMAP, with opts.IMAPPassword), a Maildir folder (one
// with cur/ or new/ in it: ReadMaildir), another folder (ReadDir), or a
// file (ReadFile: XML, gzip, zip, a message, an mbox file).
func Open(ctx context.Context, location string, opts Options) iter.Seq2[*Report, error] {
	if l := strings.ToLower(location); strings.HasPrefix(l, "imaps://") || strings.HasPrefix(l, "imap://") {
		return ReadIMAP(ctx, location, opts.IMAPPassword, opts)
	}
	fi, err := os.Stat(location)
	switch {
	case err != nil:
		return func(yield func(*Report, error) bool) {
			yield(nil, &Error{Source: Source{Path: location}, Err: err})
		}
	case fi.IsDir() && isMaildir(location):
		return ReadMaildir(ctx, location, opts)
	case fi.IsDir():
		return ReadDir(ctx, location, opts)
	}
	return ReadFile(ctx, location, opts)
}

func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// dir reads the files in the given sub-folders of dir ("" for dir
// itself). maildir: a missing sub-folder is not an error.
func (w *walker) dir(dir string, subs []string, maildir bool) {
	var paths, folders []string
	over := false
	for _, sub := range subs {
		names, dirs, more, err := listDir(filepath.Join(dir, sub), w.o.MaxMessages-len(paths)-len(folders))
		if err != nil {
			if maildir && errors.Is(err, os.ErrNotExist) {
				continue
			}
			w.failf(Source{Path: filepath.Join(dir, sub)}, err)
			return
		}
		slices.Sort(names)
		for _, n := range names {
			paths = append(paths, filepath.Join(dir, sub, n))
		}
		slices.Sort(dirs)
		for _, n := range dirs {
			folders = append(folders, filepath.Join(dir, sub, n))
		}
		if more {
			over = true
			break
		}
	}
	for _, p := range paths {
		if w.done() {
			return
		}
		w.file(p)
	}
	for _, p := range folders {
		w.failf(Source{Path: p}, fmt.Errorf("%w (a folder: sub-folders are not read; name it to read it)", ErrNotRegular))
	}
	if over {
		w.failf(Source{Path: dir}, boundError(ErrTooManyMessages, "more than %d files; the rest are not read", w.o.MaxMessages))
	}
}

// listDir lists at most max names of regular files (or links to them,
// checked when read) and of folders in dir, skipping dot files and dot
// folders, and says whether there are more.
func listDir(dir string, max int) (names, dirs []string, more bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, nil, false, err
	}
	defer f.Close()
	for {
		ents, err := f.ReadDir(256)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if len(names)+len(dirs) >= max {
				return names, dirs, true, nil
			}
			if e.IsDir() {
				dirs = append(dirs, e.Name())
			} else {
				names = append(names, e.Name())
			}
		}
		if err == io.EOF {
			return names, dirs, false, nil
		}
		if err != nil {
			return names, dirs, false, err
		}
	}
}
