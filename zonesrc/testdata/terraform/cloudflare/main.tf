# contoso.example on Cloudflare (provider v4): the zone of
# ../../contoso.example.zone.
resource "cloudflare_zone" "contoso" {
  account_id = "f037e56e89293a057740de681ac9abbe"
  zone       = "contoso.example"
}

locals {
  zone_id = cloudflare_zone.contoso.id
  dkim    = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuU73B8EuqPjPXoK6FVegyBvq87RdiRj3ZDbP+2wR/OSbULCiKeFfEVlegqfaH3ROQ93dExwb2gZ4R1/+bVwKfAlUJrXSBc2NgqNlyIqGIdRj+w5S9lKWJNYU3QUK8+4am8Lt8YwPI0DKxAJfXR9ieZVYIhtaPMJ/uKspv88ahz4OJD2yGIOKx6owmUoR4dA+ekQMCc0jC3if3gP4fir0HsCuTOB4opKQJna0XSL7CINAeDv00KsUeOwwA7Etk2VeZYHYcwto+cTTJQJyRtnwWazl5F5tyDQm9qobZTC2GI6QX28qkynljBsLrNGCDp4Kn3sjxSF60hvg48Ij+eRbxwIDAQAB"
}

resource "cloudflare_record" "ns1" {
  zone_id = cloudflare_zone.contoso.id
  name    = "ns1"
  type    = "A"
  value   = "192.0.2.53"
  ttl     = 3600
}

resource "cloudflare_record" "mx" {
  zone_id  = cloudflare_zone.contoso.id
  name     = "@"
  type     = "MX"
  content  = "contoso-example.mail.protection.outlook.com"
  priority = 0
}

resource "cloudflare_record" "txt" {
  for_each = {
    "@"      = "v=spf1 include:spf.protection.outlook.com ~all"
    "_dmarc" = "v=DMARC1; p=none; rua=mailto:dmarc@contoso.example"
  }
  zone_id = cloudflare_zone.contoso.id
  name    = each.key
  type    = "TXT"
  content = each.value
}

resource "cloudflare_record" "sipfederationtls" {
  zone_id = cloudflare_zone.contoso.id
  name    = "_sipfederationtls._tcp"
  type    = "SRV"
  data {
    service  = "_sipfederationtls"
    proto    = "_tcp"
    name     = "contoso.example"
    priority = 100
    weight   = 1
    port     = 5061
    target   = "sipfed.online.lync.com"
  }
}

resource "cloudflare_record" "autodiscover" {
  zone_id = cloudflare_zone.contoso.id
  name    = "autodiscover"
  type    = "CNAME"
  content = "autodiscover.outlook.com"
  proxied = false
}

resource "cloudflare_record" "dkim" {
  count   = 2
  zone_id = cloudflare_zone.contoso.id
  name    = "selector${count.index + 1}._domainkey"
  type    = "CNAME"
  content = ["selector1-contoso-example._domainkey.contoso.onmicrosoft.com", "selector2-contoso-example._domainkey.othertenant.onmicrosoft.com"][count.index]
}

resource "cloudflare_record" "s1" {
  zone_id = cloudflare_zone.contoso.id
  name    = "s1._domainkey.contoso.example"
  type    = "TXT"
  content = local.dkim
}

resource "cloudflare_record" "www" {
  zone_id = cloudflare_zone.contoso.id
  name    = "www"
  type    = "A"
  content = "192.0.2.80"
  ttl     = 300
}
