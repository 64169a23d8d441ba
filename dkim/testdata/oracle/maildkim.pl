#!/usr/bin/perl
# DKIM key-record oracle for domainlint's differential test: Mail::DKIM
# (Debian libmail-dkim-perl). Reads one key record per line on stdin and
# prints "usable<TAB>detail" or "unusable<TAB>reason" per line: whether
# Mail::DKIM::PublicKey accepts it for mail (its check: version, key type,
# p=, the key loaded by OpenSSL, s=). No network access.
use strict;
use warnings;
use Mail::DKIM::PublicKey;

$| = 1;
local $SIG{__WARN__} = sub { };
while (my $line = <STDIN>) {
    chomp $line;
    my $ok = eval {
        my $key = Mail::DKIM::PublicKey->parse($line);
        $key->check;
        1;
    };
    if ($ok) {
        print "usable\t\n";
    } else {
        my $err = $@ // 'unknown';
        $err =~ s/ at \/.*//s;
        $err =~ s/[\r\n\t]+/ /g;
        print "unusable\t$err\n";
    }
}
