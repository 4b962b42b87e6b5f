package pep508

import "strings"

// The recursive-descent parser below is a port of packaging's _parser.py;
// each function's comment carries the grammar rule it implements.

// parsedRequirement is a requirement before its specifier is interpreted.
type parsedRequirement struct {
	name      string
	extras    []string
	specifier string
	specStart int // byte offsets of the specifier, for error messages
	specEnd   int
	url       string
	marker    *markerNode
}

// parseRequirementSyntax parses source into its parts.
//
//	requirement = WS? IDENTIFIER WS? extras WS? requirement_details
func parseRequirementSyntax(source string) (req parsedRequirement, err error) {
	defer catchSyntaxError(&err)
	t := &tokenizer{source: source}
	t.consume(tokWS)
	req.name = t.expect(tokIdentifier, "package name at the start of dependency specifier").text
	t.consume(tokWS)
	req.extras = parseExtras(t)
	t.consume(tokWS)
	parseRequirementDetails(t, &req)
	t.expect(tokEnd, "end of dependency specifier")
	return req, nil
}

// parseRequirementDetails parses what follows the name and extras.
//
//	requirement_details = AT URL (WS requirement_marker?)?
//	                    | specifier WS? (requirement_marker)?
func parseRequirementDetails(t *tokenizer, req *parsedRequirement) {
	if t.check(tokAt, false) {
		t.read()
		t.consume(tokWS)
		urlStart := t.pos
		req.url = t.expect(tokURL, "URL after @").text
		if t.check(tokEnd, true) {
			return
		}
		t.expect(tokWS, "whitespace after URL")
		if t.check(tokEnd, true) {
			return
		}
		req.marker = parseRequirementMarker(t, urlStart, "semicolon (after URL and whitespace)")
		return
	}
	req.specStart = t.pos
	req.specifier = parseSpecifier(t)
	req.specEnd = t.pos
	t.consume(tokWS)
	if t.check(tokEnd, true) {
		return
	}
	expected := "semicolon (after name with no version specifier)"
	if req.specifier != "" {
		expected = "comma (within version specifier), semicolon (after version specifier)"
	}
	req.marker = parseRequirementMarker(t, req.specStart, expected)
}

// parseRequirementMarker parses the marker after a requirement.
//
//	requirement_marker = SEMICOLON marker WS?
func parseRequirementMarker(t *tokenizer, spanStart int, expected string) *markerNode {
	if !t.check(tokSemicolon, false) {
		t.fail("Expected "+expected+" or end", spanStart, t.pos)
	}
	t.read()
	m := parseMarkerExpr(t)
	t.consume(tokWS)
	return m
}

// parseExtras parses an optional bracketed extras list.
//
//	extras = (LEFT_BRACKET wsp* extras_list? wsp* RIGHT_BRACKET)?
func parseExtras(t *tokenizer) (extras []string) {
	if !t.check(tokLeftBracket, true) {
		return nil
	}
	t.enclosed(tokLeftBracket, tokRightBracket, "extras", func() {
		t.consume(tokWS)
		extras = parseExtrasList(t)
		t.consume(tokWS)
	})
	return extras
}

// parseExtrasList parses comma-separated extra names.
//
//	extras_list = identifier (wsp* ',' wsp* identifier)*
func parseExtrasList(t *tokenizer) []string {
	if !t.check(tokIdentifier, false) {
		return nil
	}
	extras := []string{t.read().text}
	for {
		t.consume(tokWS)
		if t.check(tokIdentifier, true) {
			t.fail("Expected comma between extra names", t.pos, t.pos)
		}
		if !t.check(tokComma, false) {
			return extras
		}
		t.read()
		t.consume(tokWS)
		extras = append(extras, t.expect(tokIdentifier, "extra name after comma").text)
	}
}

// parseSpecifier parses version clauses, optionally in parentheses.
//
//	specifier = LEFT_PARENTHESIS WS? version_many WS? RIGHT_PARENTHESIS
//	          | WS? version_many WS?
func parseSpecifier(t *tokenizer) (spec string) {
	t.enclosed(tokLeftParen, tokRightParen, "version specifier", func() {
		t.consume(tokWS)
		spec = parseVersionMany(t)
		t.consume(tokWS)
	})
	return spec
}

// parseVersionMany parses comma-separated version clauses.
//
//	version_many = (SPECIFIER (WS? COMMA WS? SPECIFIER)*)?
func parseVersionMany(t *tokenizer) string {
	var b strings.Builder
	for t.check(tokSpecifier, false) {
		start := t.pos
		clause := t.read().text
		b.WriteString(clause)
		checkClauseTrail(t, start, clause)
		t.consume(tokWS)
		if !t.check(tokComma, false) {
			break
		}
		b.WriteString(t.read().text)
		t.consume(tokWS)
	}
	return b.String()
}

// checkClauseTrail reports a ".*" or "+local" the clause could not take.
func checkClauseTrail(t *tokenizer, start int, clause string) {
	if t.check(tokVersionPrefixTrail, true) {
		if strings.HasPrefix(clause, "==") || strings.HasPrefix(clause, "!=") {
			t.fail(".* suffix cannot be used after pre-release, post-release, "+
				"developmental release, or local version labels", start, t.pos+1)
		}
		t.fail(".* suffix can only be used with `==` or `!=` operators", start, t.pos+1)
	}
	if t.check(tokVersionLocalLabelTrail, true) {
		t.fail("Local version label can only be used with `==` or `!=` operators", start, t.pos)
	}
}

// parseFullMarker parses a whole marker expression.
func parseFullMarker(source string) (m *markerNode, err error) {
	defer catchSyntaxError(&err)
	t := &tokenizer{source: source}
	m = parseMarkerExpr(t)
	t.expect(tokEnd, "end of marker expression")
	return m, nil
}

// parseMarkerExpr parses atoms joined by "and"/"or".
//
//	marker = marker_atom (BOOLOP marker_atom)+
func parseMarkerExpr(t *tokenizer) *markerNode {
	n := &markerNode{atoms: []markerAtom{parseMarkerAtom(t)}}
	for t.check(tokBoolOp, false) {
		n.ops = append(n.ops, t.read().text)
		n.atoms = append(n.atoms, parseMarkerAtom(t))
	}
	return n
}

// parseMarkerAtom parses a comparison or a parenthesised expression.
//
//	marker_atom = WS? LEFT_PARENTHESIS WS? marker WS? RIGHT_PARENTHESIS WS?
//	            | WS? marker_item WS?
func parseMarkerAtom(t *tokenizer) (atom markerAtom) {
	t.consume(tokWS)
	if t.check(tokLeftParen, true) {
		t.enclosed(tokLeftParen, tokRightParen, "marker expression", func() {
			t.consume(tokWS)
			atom.group = parseMarkerExpr(t)
			t.consume(tokWS)
		})
	} else {
		atom.cmp = parseMarkerItem(t)
	}
	t.consume(tokWS)
	return atom
}

// parseMarkerItem parses one comparison.
//
//	marker_item = WS? marker_var WS? marker_op WS? marker_var WS?
func parseMarkerItem(t *tokenizer) *comparison {
	t.consume(tokWS)
	lhs := parseMarkerVar(t)
	t.consume(tokWS)
	op := parseMarkerOp(t)
	t.consume(tokWS)
	rhs := parseMarkerVar(t)
	t.consume(tokWS)
	return newComparison(lhs, op, rhs)
}

// parseMarkerVar parses a variable name or a quoted string.
//
//	marker_var = VARIABLE | QUOTED_STRING
func parseMarkerVar(t *tokenizer) operand {
	if t.check(tokVariable, false) {
		return operand{isVar: true, text: canonicalVariable(t.read().text)}
	}
	if t.check(tokQuotedString, false) {
		tok := t.read()
		value, ok := unquote(tok.text)
		if !ok {
			t.fail("Invalid quoted string", tok.pos, tok.pos+len(tok.text))
		}
		return operand{text: value}
	}
	t.fail("Expected a marker variable or quoted string", t.pos, t.pos)
	return operand{}
}

// canonicalVariable maps the legacy spellings of a variable to its
// PEP 508 name.
func canonicalVariable(name string) string {
	name = strings.ReplaceAll(name, ".", "_")
	if name == "python_implementation" {
		return "platform_python_implementation"
	}
	return name
}

// parseMarkerOp parses a comparison operator.
//
//	marker_op = IN | NOT IN | OP
func parseMarkerOp(t *tokenizer) string {
	switch {
	case t.check(tokIn, false):
		t.read()
		return "in"
	case t.check(tokNot, false):
		t.read()
		t.expect(tokWS, "whitespace after 'not'")
		t.expect(tokIn, "'in' after 'not'")
		return "not in"
	case t.check(tokOp, false):
		return t.read().text
	}
	t.fail("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in", t.pos, t.pos)
	return ""
}
