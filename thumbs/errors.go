package thumbs

import (
	"errors"
	"fmt"
)

var (
	// ErrTooLarge means the file declares more pixels than the configured
	// limit (a decompression bomb, or simply too big for this machine).
	ErrTooLarge = errors.New("image too large")
	// ErrUnsupported means no decoder or helper for the format is available.
	ErrUnsupported = errors.New("unsupported format")
	// ErrBroken means the file could not be decoded.
	ErrBroken = errors.New("broken image")
	// ErrInvalid means a request named a bad hash or size.
	ErrInvalid = errors.New("invalid thumbnail request")
)

// reasonError carries a short, user-facing explanation for the placeholder
// image alongside one of the sentinel errors.
type reasonError struct {
	kind   error
	reason string // shown on the placeholder
	err    error  // underlying cause, for logs
}

func (e *reasonError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s: %v", e.reason, e.err)
	}
	return e.reason
}

func (e *reasonError) Is(target error) bool { return target == e.kind }
func (e *reasonError) Unwrap() error        { return e.err }

func unsupported(reason string) error {
	return &reasonError{kind: ErrUnsupported, reason: reason}
}

func broken(reason string, err error) error {
	return &reasonError{kind: ErrBroken, reason: reason, err: err}
}

// survivePanic turns a panic while reading or decoding a file into an
// ErrBroken error in *err. Parsers are fuzzed, but one missed case must
// cost only that file's thumbnail: renders run on singleflight goroutines,
// where a panic would take the whole server down.
func survivePanic(err *error) {
	if r := recover(); r != nil {
		*err = broken("the file could not be read", fmt.Errorf("decoder panic: %v", r))
	}
}

// Reason returns the short explanation to show on a placeholder for err,
// e.g. "HEIC needs heif-convert (apt install libheif-examples)".
func Reason(err error) string {
	var re *reasonError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &re):
		return re.reason
	case errors.Is(err, ErrTooLarge):
		return "image too large"
	case errors.Is(err, ErrInvalid):
		return "invalid request"
	}
	return "preview failed"
}
