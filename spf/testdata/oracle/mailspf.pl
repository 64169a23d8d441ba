#!/usr/bin/perl
# check_host() oracle for domainlint's differential test: Mail::SPF (Debian
# libmail-spf-perl). Usage: mailspf.pl PORT. Reads "ip<TAB>helo<TAB>sender"
# lines on stdin and prints "result<TAB>explanation" per line. Every DNS question goes to
# 127.0.0.1:PORT and nowhere else.
use strict;
use warnings;
use Mail::SPF;
use Net::DNS::Resolver;

my $port = shift or die "usage: $0 PORT\n";
$| = 1;
my $dns = Net::DNS::Resolver->new(
    config_file => '/dev/null',
    nameservers => ['127.0.0.1'],
    port        => $port,
    recurse     => 1,
    defnames    => 0,
    dnsrch      => 0,
    searchlist  => [],
    retry       => 1,
    udp_timeout => 5,
    tcp_timeout => 5,
);
my $server = Mail::SPF::Server->new(dns_resolver => $dns);
while (my $line = <STDIN>) {
    chomp $line;
    my ($ip, $helo, $sender) = split /\t/, $line, -1;
    my $res = eval {
        my $req = Mail::SPF::Request->new(
            scope         => 'mfrom',
            identity      => $sender ne '' ? $sender : $helo,
            ip_address    => $ip,
            helo_identity => $helo,
        );
        my $result = $server->process($req);
        $result->code . "\t" . ($result->can('local_explanation') ? $result->local_explanation : $result->text);
    };
    if (!defined $res) {
        $res = "crash\t" . ($@ // 'unknown');
    }
    $res =~ s/[\r\n]+/ /g;
    print "$res\n";
}
