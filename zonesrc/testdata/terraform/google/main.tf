# contoso.example in Google Cloud DNS: the zone of
# ../../contoso.example.zone.
resource "google_dns_managed_zone" "contoso" {
  name     = "contoso-example"
  dns_name = "contoso.example."
}

resource "google_dns_record_set" "ns1" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "ns1.contoso.example."
  type         = "A"
  ttl          = 3600
  rrdatas      = ["192.0.2.53"]
}

resource "google_dns_record_set" "www" {
  managed_zone = "contoso-example"
  name         = "www.contoso.example."
  type         = "A"
  ttl          = 300
  rrdatas      = ["192.0.2.80"]
}

resource "google_dns_record_set" "mx" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "contoso.example."
  type         = "MX"
  ttl          = 3600
  rrdatas      = ["0 contoso-example.mail.protection.outlook.com."]
}

resource "google_dns_record_set" "apex_txt" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "contoso.example."
  type         = "TXT"
  ttl          = 3600
  rrdatas      = ["\"v=spf1 include:spf.protection.outlook.com ~all\""]
}

resource "google_dns_record_set" "dmarc" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "_dmarc.contoso.example."
  type         = "TXT"
  ttl          = 3600
  rrdatas      = ["\"v=DMARC1; p=none; rua=mailto:dmarc@contoso.example\""]
}

resource "google_dns_record_set" "sipfederationtls" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "_sipfederationtls._tcp.contoso.example."
  type         = "SRV"
  ttl          = 3600
  rrdatas      = ["100 1 5061 sipfed.online.lync.com."]
}

resource "google_dns_record_set" "autodiscover" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "autodiscover.contoso.example."
  type         = "CNAME"
  ttl          = 3600
  rrdatas      = ["autodiscover.outlook.com."]
}

resource "google_dns_record_set" "selector1" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "selector1._domainkey.contoso.example."
  type         = "CNAME"
  ttl          = 3600
  rrdatas      = ["selector1-contoso-example._domainkey.contoso.onmicrosoft.com."]
}

resource "google_dns_record_set" "selector2" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "selector2._domainkey.contoso.example."
  type         = "CNAME"
  ttl          = 3600
  rrdatas      = ["selector2-contoso-example._domainkey.othertenant.onmicrosoft.com."]
}

resource "google_dns_record_set" "s1" {
  managed_zone = google_dns_managed_zone.contoso.name
  name         = "s1._domainkey.contoso.example."
  type         = "TXT"
  ttl          = 3600
  rrdatas = [
    "\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuU73B8EuqPjPXoK6FVegyBvq87RdiRj3ZDbP+2wR/OSbULCiKeFfEVlegqfaH3ROQ93dExwb2gZ4R1/+bVwKfAlUJrXSBc2NgqNlyIqGIdRj+w5S9lKWJNYU3QUK8+4am8Lt8YwPI0DKxAJfXR9ieZVYIhtaPMJ/uKspv88ahz4OJD2yGIOKx6owmUoR4dA+e\" \"kQMCc0jC3if3gP4fir0HsCuTOB4opKQJna0XSL7CINAeDv00KsUeOwwA7Etk2VeZYHYcwto+cTTJQJyRtnwWazl5F5tyDQm9qobZTC2GI6QX28qkynljBsLrNGCDp4Kn3sjxSF60hvg48Ij+eRbxwIDAQAB\"",
  ]
}
