package domainlist_test

import (
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/domainlist"
)

// Read a list as people write them: each line is a name to check, or a
// line to report with the reason it is not one.
func ExampleReader() {
	list := `# customers
Example.COM.
bücher.example
https://shop.example/login
admin@mail.example
a.example,b.example
example.com
`
	rd := domainlist.NewReader(strings.NewReader(list), domainlist.Options{})
	for name, err := range rd.All() {
		if err != nil {
			fmt.Println("rejected:", err)
			continue
		}
		fmt.Println("check:", name)
	}
	fmt.Printf("%+v\n", rd.Stats())
	// Output:
	// check: example.com
	// check: xn--bcher-kva.example
	// rejected: line 4: a URL, not a domain name: give its host, shop.example
	// rejected: line 5: a mail address, not a domain name: give its domain, mail.example
	// rejected: line 6: a list, not a domain name: give one name a line
	// {Lines:7 Names:2 Rejected:3 Repeats:1 Skipped:0 Unremembered:0}
}

func ExampleNormalize() {
	name, err := domainlist.Normalize(" Bücher.Example. ")
	fmt.Println(name, err)
	_, err = domainlist.Normalize("d.test:25")
	fmt.Println(err)
	// Output:
	// xn--bcher-kva.example <nil>
	// a host and port, not a domain name: give its host, d.test
}
