#!/usr/bin/perl
# The Mail::DMARC side of dmarc/aggregate's differential test (Debian
# libmail-dmarc-perl). For each report described in the JSON file given
# (built by TestMailDMARCDifferential), it builds a
# Mail::DMARC::Report::Aggregate, exports it with as_xml (Mail::DMARC's
# own generator) to <outdir>/<n>.xml, parses that XML back with
# Mail::DMARC::Report::Receive's own node handlers (the receiving side,
# minus the SQL store), and prints what it read as JSON, one report per
# element of an array.
#
#   perl maildmarc-aggregate.pl spec.json outdir > parsed.json
use strict;
use warnings;

use JSON::PP;
use XML::LibXML;
use Mail::DMARC::Policy;
use Mail::DMARC::Report::Aggregate;
use Mail::DMARC::Report::Aggregate::Record;
use Mail::DMARC::Report::Receive;

my ($spec_file, $outdir) = @ARGV;
die "usage: $0 spec.json outdir\n" if !$outdir;
my $json = JSON::PP->new->utf8->canonical;
my $spec = do { local $/; open my $fh, '<', $spec_file or die "$spec_file: $!"; $json->decode(<$fh>) };

my @parsed;
my $n = 0;
foreach my $r (@{ $spec->{reports} }) {
    $n++;
    # Build and export.
    my $agg = Mail::DMARC::Report::Aggregate->new;
    my $meta = $agg->metadata;
    $meta->org_name($r->{org_name});
    $meta->email($r->{email});
    $meta->extra_contact_info($r->{extra_contact_info}) if $r->{extra_contact_info};
    $meta->report_id($r->{report_id});
    $meta->begin($r->{begin});
    $meta->end($r->{end});
    $meta->error($_) for @{ $r->{errors} || [] };
    my %pol = (v => 'DMARC1', map { defined $r->{policy}{$_} ? ($_ => $r->{policy}{$_}) : () } qw/ domain adkim aspf p sp pct /);
    $agg->policy_published(Mail::DMARC::Policy->new(%pol));
    foreach my $rec (@{ $r->{records} }) {
        my %ids = (header_from => $rec->{header_from});
        $ids{envelope_from} = $rec->{envelope_from} if $rec->{envelope_from};
        $ids{envelope_to}   = $rec->{envelope_to}   if $rec->{envelope_to};
        $agg->record(Mail::DMARC::Report::Aggregate::Record->new(
            row => {
                source_ip => $rec->{source_ip},
                count     => $rec->{count},
                policy_evaluated => {
                    disposition => $rec->{disposition},
                    dkim        => $rec->{dkim},
                    spf         => $rec->{spf},
                    reason      => $rec->{reasons} || [],
                },
            },
            identifiers  => \%ids,
            auth_results => { dkim => $rec->{auth_dkim} || [], spf => $rec->{auth_spf} || [] },
        ));
    }
    my $xml = $agg->as_xml;
    open my $out, '>:encoding(UTF-8)', "$outdir/$n.xml" or die "$outdir/$n.xml: $!";
    print $out $xml;
    close $out;

    # Parse it back, as Mail::DMARC receives reports.
    my $recv = Mail::DMARC::Report::Receive->new;
    my $dom  = XML::LibXML->load_xml(string => $xml);
    $recv->do_node_report_metadata($dom->findnodes('/feedback/report_metadata'));
    $recv->do_node_policy_published($dom->findnodes('/feedback/policy_published'));
    $recv->do_node_record($_) for $dom->findnodes('/feedback/record');
    my $got = $recv->report->aggregate;
    my $m   = $got->metadata;
    my $pp  = $got->policy_published;
    my %p = (
        org_name   => $m->org_name,
        email      => $m->email,
        report_id  => $m->report_id,
        begin      => $m->begin + 0,
        end        => $m->end + 0,
        errors     => $m->error || [],
        policy     => { map { defined $pp->{$_} ? ($_ => "$pp->{$_}") : () } qw/ domain adkim aspf p sp pct / },
        records    => [],
    );
    foreach my $rec (@{ $got->record }) {
        my $pe = $rec->row->policy_evaluated;
        push @{ $p{records} }, {
            source_ip     => $rec->row->source_ip,
            count         => $rec->row->count + 0,
            disposition   => $pe->disposition,
            dkim          => $pe->dkim,
            spf           => $pe->spf,
            reasons       => [ map { { type => $_->{type}, comment => $_->{comment} } } @{ $pe->reason || [] } ],
            header_from   => $rec->identifiers->header_from // '',
            envelope_from => $rec->identifiers->envelope_from // '',
            envelope_to   => $rec->identifiers->envelope_to // '',
            auth_dkim     => [ map { { domain => $_->domain // '', selector => $_->selector // '', result => $_->result // '', human_result => $_->human_result // '' } } @{ $rec->auth_results->dkim } ],
            auth_spf      => [ map { { domain => $_->domain // '', scope => $_->scope // '', result => $_->result // '' } } @{ $rec->auth_results->spf } ],
        };
    }
    push @parsed, \%p;
}
print $json->encode(\@parsed);
