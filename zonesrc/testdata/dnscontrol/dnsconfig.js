// contoso.example for DNSControl: the zone of ../contoso.example.zone.
// ir-v3.json is what `dnscontrol print-ir --pretty` (v3.31.6) renders
// of this file.
var REG_NONE = NewRegistrar("none", "NONE");
var DNS_BIND = NewDnsProvider("bind", "BIND");

D("contoso.example", REG_NONE, DnsProvider(DNS_BIND),
    DefaultTTL(3600),
    A("ns1", "192.0.2.53"),
    MX("@", 0, "contoso-example.mail.protection.outlook.com."),
    TXT("@", "v=spf1 include:spf.protection.outlook.com ~all"),
    TXT("_dmarc", "v=DMARC1; p=none; rua=mailto:dmarc@contoso.example"),
    CNAME("autodiscover", "autodiscover.outlook.com."),
    SRV("_sipfederationtls._tcp", 100, 1, 5061, "sipfed.online.lync.com."),
    CNAME("selector1._domainkey", "selector1-contoso-example._domainkey.contoso.onmicrosoft.com."),
    CNAME("selector2._domainkey", "selector2-contoso-example._domainkey.othertenant.onmicrosoft.com."),
    TXT("s1._domainkey", "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuU73B8EuqPjPXoK6FVegyBvq87RdiRj3ZDbP+2wR/OSbULCiKeFfEVlegqfaH3ROQ93dExwb2gZ4R1/+bVwKfAlUJrXSBc2NgqNlyIqGIdRj+w5S9lKWJNYU3QUK8+4am8Lt8YwPI0DKxAJfXR9ieZVYIhtaPMJ/uKspv88ahz4OJD2yGIOKx6owmUoR4dA+ekQMCc0jC3if3gP4fir0HsCuTOB4opKQJna0XSL7CINAeDv00KsUeOwwA7Etk2VeZYHYcwto+cTTJQJyRtnwWazl5F5tyDQm9qobZTC2GI6QX28qkynljBsLrNGCDp4Kn3sjxSF60hvg48Ij+eRbxwIDAQAB"),
    A("www", "192.0.2.80", TTL(300))
);
