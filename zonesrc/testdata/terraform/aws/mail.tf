resource "aws_route53_record" "mx" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = ""
  type    = "MX"
  ttl     = 3600
  records = ["0 contoso-example.mail.protection.outlook.com"]
}

resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "contoso.example"
  type    = "TXT"
  ttl     = 3600
  records = ["v=spf1 include:spf.protection.outlook.com ~all"]
}

resource "aws_route53_record" "dmarc" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "_dmarc"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DMARC1; p=none; rua=mailto:dmarc@contoso.example"]
}

resource "aws_route53_record" "sipfederationtls" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "_sipfederationtls._tcp"
  type    = "SRV"
  ttl     = 3600
  records = ["100 1 5061 sipfed.online.lync.com"]
}

resource "aws_route53_record" "autodiscover" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "autodiscover"
  type    = "CNAME"
  ttl     = 3600
  records = ["autodiscover.outlook.com"]
}

resource "aws_route53_record" "selector" {
  for_each = {
    selector1 = "selector1-contoso-example._domainkey.contoso.onmicrosoft.com"
    selector2 = "selector2-contoso-example._domainkey.othertenant.onmicrosoft.com"
  }
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "${each.key}._domainkey"
  type    = "CNAME"
  ttl     = 3600
  records = [each.value]
}

resource "aws_route53_record" "s1" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "s1._domainkey"
  type    = "TXT"
  ttl     = 3600
  records = [
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuU73B8EuqPjPXoK6FVegyBvq87RdiRj3ZDbP+2wR/OSbULCiKeFfEVlegqfaH3ROQ93dExwb2gZ4R1/+bVwKfAlUJrXSBc2NgqNlyIqGIdRj+w5S9lKWJNYU3QUK8+4am8Lt8YwPI0DKxAJfXR9ieZVYIhtaPMJ/uKspv88ahz4OJD2yGIOKx6owmUoR4dA+e\"\"kQMCc0jC3if3gP4fir0HsCuTOB4opKQJna0XSL7CINAeDv00KsUeOwwA7Etk2VeZYHYcwto+cTTJQJyRtnwWazl5F5tyDQm9qobZTC2GI6QX28qkynljBsLrNGCDp4Kn3sjxSF60hvg48Ij+eRbxwIDAQAB",
  ]
}
