package reqfile

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlLines maps the key path of every key and array element of a TOML
// document to the line it starts on. Values are decoded separately (with
// go-toml's Unmarshal); this index, built from go-toml's unstable parser,
// only supplies the lines for Source. Paths are key segments joined by
// "\x00", with array elements as "#<index>".
type tomlLines map[string]int

// indexTOMLLines builds the line index of data. It returns an empty index
// when data does not parse (Unmarshal then reports the error).
func indexTOMLLines(data []byte) tomlLines {
	lines := tomlLines{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	arrayTables := map[string]int{}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table:
			table = keyParts(e)
			lines.set(&p, table, firstKey(e))
		case unstable.ArrayTable:
			table = keyParts(e)
			k := pathKey(table)
			table = append(table, "#"+strconv.Itoa(arrayTables[k]))
			arrayTables[k]++
			lines.set(&p, table, firstKey(e))
		case unstable.KeyValue:
			lines.keyValue(&p, table, e)
		}
	}
	return lines
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// firstKey returns the first key node of a table header or key/value.
func firstKey(n *unstable.Node) *unstable.Node {
	it := n.Key()
	if !it.Next() {
		return nil
	}
	return it.Node()
}

func pathKey(parts []string) string { return strings.Join(parts, "\x00") }

func (l tomlLines) set(p *unstable.Parser, path []string, n *unstable.Node) {
	if n != nil && n.Raw.Length > 0 {
		l[pathKey(path)] = p.Shape(n.Raw).Start.Line
	}
}

// keyValue indexes "key = value" under prefix.
func (l tomlLines) keyValue(p *unstable.Parser, prefix []string, kv *unstable.Node) {
	path := append(append([]string{}, prefix...), keyParts(kv)...)
	l.set(p, path, firstKey(kv))
	l.value(p, path, kv.Value())
}

// value indexes the elements of arrays and inline tables.
func (l tomlLines) value(p *unstable.Parser, path []string, v *unstable.Node) {
	switch v.Kind {
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			n := it.Node()
			if n.Kind == unstable.Comment {
				continue
			}
			elem := append(append([]string{}, path...), "#"+strconv.Itoa(i))
			i++
			l.set(p, elem, n)
			l.value(p, elem, n)
		}
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				l.keyValue(p, path, n)
			}
		}
	}
}

// line returns the line of path, or of its nearest indexed ancestor, or 0.
func (l tomlLines) line(path ...string) int {
	for n := len(path); n > 0; n-- {
		if line, ok := l[pathKey(path[:n])]; ok {
			return line
		}
	}
	return 0
}
