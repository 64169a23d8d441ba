package bimi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SVG is what CheckSVG read from an indicator's root element.
type SVG struct {
	Version     string `json:"version,omitempty"`
	BaseProfile string `json:"base_profile,omitempty"`
	ViewBox     string `json:"view_box,omitempty"`
	Title       bool   `json:"title"`
}

// MaxSVGElements bounds the elements CheckSVG reads.
const MaxSVGElements = 10000

const svgNS = "http://www.w3.org/2000/svg"

// forbidden says why SVG Tiny PS excludes an element: scripting,
// animation, embedded foreign content and media.
func forbidden(name string) (string, bool) {
	switch name {
	case "script":
		return "scripts", true
	case "foreignObject", "iframe":
		return "foreign content", true
	case "animate", "animateMotion", "animateColor", "animateTransform", "set", "discard":
		return "animation", true
	case "audio", "video":
		return "media", true
	case "image":
		return "embedded images", true
	}
	return "", false
}

// CheckSVG applies the basic SVG Tiny PS checks to an indicator and
// returns what it found and the problems (none: it passes these checks,
// which are not a full profile validation): well-formed XML; an <svg>
// root with version="1.2" and baseProfile="tiny-ps", no x or y
// attributes and a square viewBox; a <title>; no scripts, event handler
// attributes, animation, foreignObject, images or references outside the
// document; no entity declarations.
func CheckSVG(data []byte) (*SVG, []string) {
	s := &SVG{}
	var probs []string
	seen := map[string]bool{}
	problem := func(format string, args ...any) {
		p := fmt.Sprintf(format, args...)
		if !seen[p] {
			seen[p] = true
			probs = append(probs, p)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth, elements := 0, 0
	root := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problem("not well-formed XML: %v", err)
			break
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				problem("an entity declaration (<!ENTITY …>): not allowed")
			}
		case xml.StartElement:
			elements++
			if elements > MaxSVGElements {
				problem("more than %d elements", MaxSVGElements)
				return s, probs
			}
			depth++
			if root {
				root = false
				checkRoot(s, t, problem)
			}
			if depth == 2 && t.Name.Local == "title" {
				s.Title = true
			}
			if what, ok := forbidden(t.Name.Local); ok {
				problem("a <%s> element: %s are not allowed", t.Name.Local, what)
			}
			for _, a := range t.Attr {
				name := strings.ToLower(a.Name.Local)
				switch {
				case strings.HasPrefix(name, "on"):
					problem("an event handler attribute (%s=): scripts are not allowed", a.Name.Local)
				case name == "href" && !strings.HasPrefix(strings.TrimSpace(a.Value), "#"):
					problem("a reference outside the document (href=%q): not allowed", a.Value)
				case strings.Contains(strings.ToLower(a.Value), "url(") && external(a.Value):
					problem("a reference outside the document (%s=%q): not allowed", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth > 0 && strings.Contains(strings.ToLower(string(t)), "url(") && external(string(t)) {
				problem("a stylesheet refers outside the document: not allowed")
			}
		}
	}
	if root {
		problem("no <svg> element: not an SVG document")
		return s, probs
	}
	if !s.Title {
		problem("no <title> element under <svg>: SVG Tiny PS requires one (the brand's name)")
	}
	return s, probs
}

// external reports a url(…) that is not a fragment of the document.
func external(v string) bool {
	v = strings.ToLower(v)
	for {
		i := strings.Index(v, "url(")
		if i < 0 {
			return false
		}
		v = strings.TrimLeft(v[i+4:], " \t\"'")
		if !strings.HasPrefix(v, "#") {
			return true
		}
	}
}

func checkRoot(s *SVG, t xml.StartElement, problem func(string, ...any)) {
	if t.Name.Local != "svg" {
		problem("the root element is <%s>, not <svg>", t.Name.Local)
		return
	}
	if t.Name.Space != svgNS {
		problem("the <svg> element is not in the SVG namespace (xmlns=%q)", svgNS)
	}
	var width, height string
	for _, a := range t.Attr {
		if a.Name.Space != "" && a.Name.Space != svgNS {
			continue
		}
		switch a.Name.Local {
		case "version":
			s.Version = a.Value
		case "baseProfile":
			s.BaseProfile = a.Value
		case "viewBox":
			s.ViewBox = a.Value
		case "x", "y":
			problem("the <svg> element has %s=: not allowed", a.Name.Local)
		case "width":
			width = a.Value
		case "height":
			height = a.Value
		}
	}
	if s.BaseProfile != "tiny-ps" {
		problem("baseProfile is %q, not \"tiny-ps\"", s.BaseProfile)
	}
	if s.Version != "1.2" {
		problem("version is %q, not \"1.2\"", s.Version)
	}
	if s.ViewBox == "" {
		if width == "" || width != height {
			problem("no viewBox, and width and height do not show a square")
		}
		return
	}
	f := strings.FieldsFunc(s.ViewBox, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' })
	if len(f) != 4 {
		problem("viewBox %q is not four numbers", s.ViewBox)
		return
	}
	w, err1 := strconv.ParseFloat(f[2], 64)
	h, err2 := strconv.ParseFloat(f[3], 64)
	switch {
	case err1 != nil || err2 != nil || w <= 0 || h <= 0:
		problem("viewBox %q does not give a positive width and height", s.ViewBox)
	case w != h:
		problem("viewBox %q is %gx%g, not square", s.ViewBox, w, h)
	}
}
