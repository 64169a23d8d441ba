# contoso.example in Azure DNS: the zone of ../../contoso.example.zone.
resource "azurerm_resource_group" "dns" {
  name     = "dns"
  location = "West Europe"
}

resource "azurerm_dns_zone" "contoso" {
  name                = "contoso.example"
  resource_group_name = azurerm_resource_group.dns.name
}

resource "azurerm_dns_a_record" "ns1" {
  name                = "ns1"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  records             = ["192.0.2.53"]
}

resource "azurerm_dns_a_record" "www" {
  name                = "www"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 300
  records             = ["192.0.2.80"]
}

resource "azurerm_dns_mx_record" "mx" {
  name                = "@"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record {
    preference = 0
    exchange   = "contoso-example.mail.protection.outlook.com"
  }
}

resource "azurerm_dns_txt_record" "apex" {
  name                = "@"
  zone_name           = "contoso.example"
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record {
    value = "v=spf1 include:spf.protection.outlook.com ~all"
  }
}

resource "azurerm_dns_txt_record" "dmarc" {
  name                = "_dmarc"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record {
    value = "v=DMARC1; p=none; rua=mailto:dmarc@contoso.example"
  }
}

resource "azurerm_dns_srv_record" "sipfederationtls" {
  name                = "_sipfederationtls._tcp"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record {
    priority = 100
    weight   = 1
    port     = 5061
    target   = "sipfed.online.lync.com"
  }
}

resource "azurerm_dns_cname_record" "autodiscover" {
  name                = "autodiscover"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record              = "autodiscover.outlook.com"
}

resource "azurerm_dns_cname_record" "selector1" {
  name                = "selector1._domainkey"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record              = "selector1-contoso-example._domainkey.contoso.onmicrosoft.com"
}

resource "azurerm_dns_cname_record" "selector2" {
  name                = "selector2._domainkey"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record              = "selector2-contoso-example._domainkey.othertenant.onmicrosoft.com"
}

resource "azurerm_dns_txt_record" "s1" {
  name                = "s1._domainkey"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 3600
  record {
    value = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuU73B8EuqPjPXoK6FVegyBvq87RdiRj3ZDbP+2wR/OSbULCiKeFfEVlegqfaH3ROQ93dExwb2gZ4R1/+bVwKfAlUJrXSBc2NgqNlyIqGIdRj+w5S9lKWJNYU3QUK8+4am8Lt8YwPI0DKxAJfXR9ieZVYIhtaPMJ/uKspv88ahz4OJD2yGIOKx6owmUoR4dA+ekQMCc0jC3if3gP4fir0HsCuTOB4opKQJna0XSL7CINAeDv00KsUeOwwA7Etk2VeZYHYcwto+cTTJQJyRtnwWazl5F5tyDQm9qobZTC2GI6QX28qkynljBsLrNGCDp4Kn3sjxSF60hvg48Ij+eRbxwIDAQAB"
  }
}
