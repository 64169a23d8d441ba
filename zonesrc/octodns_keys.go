package zonesrc

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// octoDNS loads its YAML with PyYAML's SafeLoader, which follows YAML
// 1.1: a plain (unquoted) key that YAML 1.1 reads as null, a boolean, an
// integer or a float is not the text written, and octoDNS names the
// record with Python's str() of it (`null` is None, `yes` True, `010`
// 8, `1.10` 1.1). These are PyYAML's implicit resolvers (resolver.py).
var (
	yaml11Null  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	yaml11Bool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yaml11Int   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
)

// octoKeyName returns the name octoDNS reads from a key: its text, or,
// for a plain scalar YAML 1.1 resolves to another type, Python's str()
// of that value; changed reports the latter.
func octoKeyName(k *yaml.Node) (name string, changed bool) {
	s := k.Value
	if k.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return s, false
	}
	var out string
	switch {
	case yaml11Null.MatchString(s):
		if s == "" {
			return s, false
		}
		out = "None"
	case yaml11Bool.MatchString(s):
		out = "False"
		switch strings.ToLower(s) {
		case "yes", "true", "on":
			out = "True"
		}
	case yaml11Int.MatchString(s):
		v, ok := yaml11IntValue(s)
		if !ok {
			return s, false
		}
		out = v.String()
	case yaml11Float.MatchString(s):
		f, ok := yaml11FloatValue(s)
		if !ok {
			return s, false
		}
		out = pyFloat(f)
	default:
		return s, false
	}
	return out, out != s
}

// yaml11IntValue is PyYAML's construct_yaml_int.
func yaml11IntValue(s string) (*big.Int, bool) {
	s = strings.ReplaceAll(s, "_", "")
	sign := 1
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	v := new(big.Int)
	ok := true
	switch {
	case s == "0":
	case strings.HasPrefix(s, "0b"):
		_, ok = v.SetString(s[2:], 2)
	case strings.HasPrefix(s, "0x"):
		_, ok = v.SetString(s[2:], 16)
	case strings.HasPrefix(s, "0"):
		_, ok = v.SetString(s[1:], 8)
	case strings.Contains(s, ":"):
		for _, d := range strings.Split(s, ":") {
			n, err := strconv.ParseInt(d, 10, 64)
			if err != nil {
				return nil, false
			}
			v.Mul(v, big.NewInt(60))
			v.Add(v, big.NewInt(n))
		}
	default:
		_, ok = v.SetString(s, 10)
	}
	if !ok {
		return nil, false
	}
	if sign < 0 {
		v.Neg(v)
	}
	return v, true
}

// yaml11FloatValue is PyYAML's construct_yaml_float.
func yaml11FloatValue(s string) (float64, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch {
	case s == ".inf":
		return sign * math.Inf(1), true
	case s == ".nan":
		return math.NaN(), true
	case strings.Contains(s, ":"):
		v := 0.0
		for _, d := range strings.Split(s, ":") {
			f, err := strconv.ParseFloat(d, 64)
			if err != nil {
				return 0, false
			}
			v = v*60 + f
		}
		return sign * v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return sign * f, true
}

// pyFloat renders f as Python's repr (str) of a float does: the
// shortest digits that read back, fixed notation for exponents from -4
// to 15 (with ".0" when integral), else d.ddde±XX.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -1.2345e+06
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	if x >= -4 && x < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if x < 0 {
		sign, x = "-", -x
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, x)
}

// pyTruthy reports whether octoDNS, testing a setting as Python does
// (if lenient:), takes n as true: of a plain scalar, YAML 1.1's value
// (yes, True and on are true; no, null, 0 are not), else a non-empty
// string, list or mapping.
func pyTruthy(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case yaml.AliasNode:
		return pyTruthy(n.Alias)
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) > 0
	case yaml.ScalarNode:
	default:
		return false
	}
	s := n.Value
	if n.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return s != ""
	}
	switch {
	case yaml11Null.MatchString(s):
		return false
	case yaml11Bool.MatchString(s):
		switch strings.ToLower(s) {
		case "yes", "true", "on":
			return true
		}
		return false
	case yaml11Int.MatchString(s):
		v, ok := yaml11IntValue(s)
		return !ok || v.Sign() != 0
	case yaml11Float.MatchString(s):
		f, ok := yaml11FloatValue(s)
		return !ok || f != 0
	}
	return s != ""
}
