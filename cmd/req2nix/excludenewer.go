package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/req2nix/req2nix/nixgen"
)

// excludeNewerNone is the --exclude-newer value that drops a date the -o
// file records.
const excludeNewerNone = "none"

// parseExcludeNewer reads an --exclude-newer value: a date (YYYY-MM-DD,
// meaning the end of that day in UTC, so that everything uploaded on it
// counts; UTC rather than the local zone, so that teammates get the same
// file) or an RFC 3339 time. It returns the cutoff (files uploaded at or
// after it are ignored) and the value as the header records it.
func parseExcludeNewer(v string) (time.Time, string, error) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.AddDate(0, 0, 1), v, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("%q is not a date: give one such as 2023-01-31, or a time such as 2023-01-31T12:00:00Z (RFC 3339)", v)
	}
	return t.UTC(), t.UTC().Format(time.RFC3339Nano), nil
}

// settleExcludeNewer decides this run's --exclude-newer: the flag's, else
// the one the -o file records, so that re-runs (the pre-commit hook) keep
// resolving as of that date; "none" drops it. It leaves the header's
// value in o.excludeNewer and returns the cutoff (zero for none).
func settleExcludeNewer(o *options) (time.Time, error) {
	switch o.excludeNewer {
	case excludeNewerNone:
		o.excludeNewer = ""
		return time.Time{}, nil
	case "":
		recorded, err := recordedExcludeNewer(o.output)
		if err != nil || recorded == "" {
			return time.Time{}, err
		}
		cutoff, label, err := parseExcludeNewer(recorded)
		if err != nil {
			return time.Time{}, &inputError{fmt.Errorf("-o %s records --exclude-newer %w; fix or remove that header line, or give --exclude-newer", o.output, err)}
		}
		o.excludeNewer = label
		return cutoff, nil
	}
	cutoff, label, err := parseExcludeNewer(o.excludeNewer) // validated with the flags
	o.excludeNewer = label
	return cutoff, err
}

// recordedExcludeNewer is the --exclude-newer date the output file
// records, "" when there is no such file or line.
func recordedExcludeNewer(output string) (string, error) {
	if output == "" {
		return "", nil
	}
	data, err := os.ReadFile(output)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", &inputError{err}
	}
	v, err := nixgen.ReadExcludeNewer(data)
	if err != nil {
		return "", &inputError{fmt.Errorf("%s: %w", output, err)}
	}
	return v, nil
}
