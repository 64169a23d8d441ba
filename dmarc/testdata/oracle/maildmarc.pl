#!/usr/bin/perl
# DMARC record oracle for domainlint's differential test: Mail::DMARC
# (Debian libmail-dmarc-perl). Reads one record per line on stdin and prints
# "valid<TAB>p" or "invalid<TAB>reason" per line. No network access.
use strict;
use warnings;
use Mail::DMARC::Policy;

$| = 1;
local $SIG{__WARN__} = sub { };
while (my $line = <STDIN>) {
    chomp $line;
    my $p = eval {
        my $pol = Mail::DMARC::Policy->new;
        my $rec = $pol->parse($line);
        $pol->is_valid($rec);
        lc $rec->{p};
    };
    if (defined $p) {
        print "valid\t$p\n";
    } else {
        my $err = $@ // 'unknown';
        $err =~ s/ at \/.*//s;
        $err =~ s/[\r\n]+/ /g;
        print "invalid\t$err\n";
    }
}
