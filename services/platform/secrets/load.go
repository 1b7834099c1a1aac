package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Source says where the master key comes from. At most one of Value and File is set;
// with neither, the key is read from Default, which is generated on first use.
type Source struct {
	// Value is the base64 key itself (WENMING_MASTER_KEY, e.g. a Kubernetes secret as env).
	Value string
	// File is a file holding the base64 key (--master-key-file, WENMING_MASTER_KEY_FILE).
	// It must exist: a missing mounted secret is an error, never a reason to make a new key.
	File string
	// Default is the file used when neither Value nor File is given (<data-dir>/master.key).
	Default string
}

// Load returns the master key of src. generated is the path of a key file it has just
// created (empty otherwise): the caller tells the operator, once, to back it up.
func Load(src Source) (m *Master, generated string, err error) {
	switch {
	case src.Value != "" && src.File != "":
		return nil, "", errors.New("secrets: give the master key either as WENMING_MASTER_KEY or as a file, not both")
	case src.Value != "":
		m, err := Parse(src.Value)
		if err != nil {
			return nil, "", fmt.Errorf("WENMING_MASTER_KEY: %w", err)
		}
		return m, "", nil
	case src.File != "":
		m, err := readFile(src.File)
		return m, "", err
	case src.Default == "":
		return nil, "", errors.New("secrets: no master key and no default key file")
	}
	m, err = readFile(src.Default)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return m, "", err
	}
	created, err := create(src.Default)
	if err != nil {
		return nil, "", err
	}
	// Another process may have created the file first: everyone uses what is on disk.
	m, err = readFile(src.Default)
	if err != nil {
		return nil, "", err
	}
	if created {
		return m, src.Default, nil
	}
	return m, "", nil
}

func readFile(path string) (*Master, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	m, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return m, nil
}

// create writes a new key to path (mode 0600) unless a file is already there; it reports
// whether it wrote it. The key is written to a temporary file and hard-linked into place,
// so concurrent first starts never see a half-written key and never overwrite each other.
func create(path string) (bool, error) {
	m, err := Generate()
	if err != nil {
		return false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, ".master.key-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.WriteString(m.Encode() + "\n"); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("master key: %w", err)
	}
	return true, nil
}
