# contoso.example on Route 53: the zone of ../../contoso.example.zone,
# in two files as modules often keep it.
resource "aws_route53_zone" "contoso" {
  name = "contoso.example"
}

resource "aws_route53_record" "ns1" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "ns1"
  type    = "A"
  ttl     = 3600
  records = ["192.0.2.53"]
}

resource "aws_route53_record" "www" {
  zone_id = aws_route53_zone.contoso.zone_id
  name    = "www.contoso.example"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.80"]
}
