package twiliosim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// node is one element of a TwiML document.
type node struct {
	name  string
	attrs map[string]string
	text  string // the character data inside, descendants included, in document order
	own   string // the character data directly inside, not in a child element
	kids  []*node
}

// attr returns the attribute, or def when it is absent.
func (n *node) attr(name, def string) string {
	if v, ok := n.attrs[name]; ok {
		return v
	}
	return def
}

// intAttr returns the attribute as a number, or def when it is absent or not a number.
func (n *node) intAttr(name string, def int) int {
	if v, err := strconv.Atoi(n.attrs[name]); err == nil {
		return v
	}
	return def
}

// words returns the text with its white space collapsed, as it would be spoken.
func (n *node) words() string { return strings.Join(strings.Fields(n.text), " ") }

// parseTwiML reads a TwiML document and returns its root, which must be <Response>.
// Element names are case-sensitive, as in Twilio.
func parseTwiML(body []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var root *node
	var open []*node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("twiliosim: Twilio error 12100, document parse failure: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			switch {
			case len(open) > 0:
				parent := open[len(open)-1]
				parent.kids = append(parent.kids, n)
			case root != nil:
				return nil, errors.New("twiliosim: Twilio error 12100, document parse failure: more than one root element")
			default:
				root = n
			}
			open = append(open, n)
			breakWords(open, t.Name.Local)
		case xml.EndElement:
			breakWords(open, t.Name.Local)
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, errors.New("twiliosim: Twilio error 12100, document parse failure: text outside the root element")
				}
				continue
			}
			for _, n := range open {
				n.text += string(t)
			}
			open[len(open)-1].own += string(t)
		}
	}
	if root == nil {
		return nil, errors.New("twiliosim: Twilio error 12100, document parse failure: no root element")
	}
	if root.name != "Response" {
		return nil, fmt.Errorf("twiliosim: Twilio error 12102, the root element must be Response, not %s", root.name)
	}
	return root, nil
}

// breakWords keeps the words on either side of an SSML break, paragraph or sentence apart.
func breakWords(open []*node, element string) {
	if element != "break" && element != "p" && element != "s" {
		return
	}
	for _, n := range open {
		n.text += " "
	}
}
