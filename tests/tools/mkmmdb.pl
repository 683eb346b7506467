#!/usr/bin/perl
# mkmmdb.pl - build a real MaxMind DB (.mmdb) from a small TSV, for tests and
# the demo.
#
#   perl tests/tools/mkmmdb.pl --layout maxmind|geolite2|flat|asn [--type DATABASE_TYPE]
#        [--ip-version 6|4] [--epoch UNIX_SECONDS] [--escapes] IN.tsv OUT.mmdb
#
# Input: one network per line, exactly three TAB-separated fields:
#
#   prefix<TAB>country<TAB>registered_country
#
# "-" means the field is absent from the record; an empty field is an error
# (absent or not would be ambiguous). With --escapes, the country fields may
# spell any byte a TSV cannot hold: \n, \r, \t, \\ and \xHH are decoded
# (so a test database can store "GB\n" or "G\x00B" as a country code). Values are stored verbatim (no
# validation), so a TSV can hold invalid codes such as "G." to test the
# reader. Lines whose first non-blank character is "#" are comments, blank
# lines are ignored; there are no trailing comments, because other readers of
# these files (tests/tools/loggen.py) split on TABs too. Where prefixes
# overlap, the row written later wins for the addresses it covers, so list a
# more specific prefix after a wider one.
#
# Layouts (record contents per network):
#   geolite2 the maxmind layout plus names.en (the code) and continent
#            {code, names}, as GeoLite2-Country records carry them
#   maxmind  {country: {iso_code}, registered_country: {iso_code}}, as in
#            GeoLite2-Country / GeoIP2-City. database_type "GeoLite2-Country"
#            unless --type says otherwise (e.g. --type GeoLite2-City).
#   flat     {country_code}, as in the sapics/ip-location-db MMDB builds.
#            Those builds name database_type after their build config, e.g.
#            "DBIP-COUNTRY ipv4" or "GEO-ASN-COUNTRY ipv6" (tools/conf/*.yml
#            there, fed to safing/mmdbmeld, which uses the config name as the
#            type); default here "DBIP-COUNTRY ipv6" (or "... ipv4").
#            country_code is the code a reader of the maxmind layout would
#            use: country, else registered_country (a flat build collapses
#            the two), so every layout gives the same answers for a TSV.
#   asn      {autonomous_system_number, autonomous_system_organization}, type
#            "GeoLite2-ASN": a well-formed database of the wrong kind.
#
# The tree is IPv6 (unless --ip-version 4) with IPv4 aliased the way MaxMind
# builds theirs (::ffff:0:0/96, 2001::/32 and 2002::/16 lead to the IPv4
# tree), record size 28. Reserved networks are NOT removed: the test data
# deliberately holds "trap" rows inside private and documentation ranges to
# prove that the plugin never looks such addresses up. With --ip-version 4,
# IPv6 rows are skipped (with a note on stderr).
#
# Output is reproducible: build_epoch comes from --epoch (default
# 1704067200, 2024-01-01T00:00:00Z), map keys are serialised sorted by the
# writer, and the description names the input file without its directory.
# The file is written next to OUT and renamed into place, so a reader never
# maps a half-written database.
use strict;
use warnings;

use Encode ();
use File::Basename qw(basename);
use Getopt::Long qw(GetOptionsFromArray);
use MaxMind::DB::Writer::Tree;

my $DEFAULT_EPOCH = 1704067200;

sub usage {
  my ($msg) = @_;
  print STDERR "mkmmdb.pl: $msg\n" if defined $msg;
  print STDERR "usage: perl mkmmdb.pl --layout maxmind|geolite2|flat|asn"
    . " [--type DATABASE_TYPE] [--ip-version 6|4] [--epoch N] [--escapes]"
    . " IN.tsv OUT.mmdb\n";
  exit 2;
}

my %opt = (layout => undef, type => undef, 'ip-version' => 6,
           epoch => $DEFAULT_EPOCH, escapes => 0);
GetOptionsFromArray(\@ARGV, \%opt, 'layout=s', 'type=s', 'ip-version=i',
                    'epoch=i', 'escapes', 'help')
  or usage();
usage() if $opt{help};
usage('--layout is required') unless defined $opt{layout};
usage("unknown --layout \"$opt{layout}\"")
  unless $opt{layout} =~ /\A(?:maxmind|geolite2|flat|asn)\z/;
usage("--ip-version must be 4 or 6, not \"$opt{'ip-version'}\"")
  unless $opt{'ip-version'} == 4 || $opt{'ip-version'} == 6;
usage('--epoch must be >= 0') if $opt{epoch} < 0;
usage('expected IN.tsv and OUT.mmdb') unless @ARGV == 2;
my ($in, $out) = @ARGV;
my $ipv = $opt{'ip-version'};

my %default_type = (
  maxmind => 'GeoLite2-Country',
  geolite2 => 'GeoLite2-Country',
  flat    => "DBIP-COUNTRY ipv$ipv",
  asn     => 'GeoLite2-ASN',
);
my $type = $opt{type} // $default_type{ $opt{layout} };

my %key_type = (
  country                        => 'map',
  registered_country             => 'map',
  iso_code                       => 'utf8_string',
  country_code                   => 'utf8_string',
  autonomous_system_number       => 'uint32',
  autonomous_system_organization => 'utf8_string',
  continent                      => 'map',
  code                           => 'utf8_string',
  names                          => 'map',
  en                             => 'utf8_string',
);

# The geolite2 layout adds what GeoLite2 records also carry and some readers
# (GoAccess in `make bench`) need: country names and the continent. Names
# are the codes themselves (this is test data); continents for the codes the
# project's tables use, "--" otherwise.
my %continent = map { split /:/ } qw(
  AE:AS AR:SA AT:EU AU:OC BE:EU BR:SA BT:AS CA:NA CH:EU CL:SA CN:AS CO:SA
  CZ:EU DE:EU DK:EU EG:AF ES:EU FI:EU FR:EU GB:EU ID:AS IE:EU IL:AS IN:AS
  IR:AS IT:EU JP:AS KE:AF KR:AS MA:AF MX:NA NG:AF NL:EU NO:EU NZ:OC PH:AS
  PL:EU PT:EU RU:EU SE:EU TH:AS TR:AS TW:AS UA:EU US:NA VN:AS ZA:AF);

sub geo_country {
  my ($code) = @_;
  return { iso_code => $code, names => { en => $code } };
}

my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version               => $ipv,
  record_size              => 28,
  database_type            => $type,
  languages                => ['en'],
  description              => {
    en => "attack-origin test data ($opt{layout} layout) from "
      . basename($in)
  },
  alias_ipv6_to_ipv4       => ($ipv == 6 ? 1 : 0),
  remove_reserved_networks => 0,
  map_key_type_callback    => sub { $key_type{ $_[0] } },
);
$tree->_set_build_epoch($opt{epoch});

open(my $fh, '<', $in) or die "mkmmdb.pl: cannot open $in: $!\n";
my ($rows, $skipped, $asn) = (0, 0, 64512);    # private-use ASNs (RFC 6996)
while (my $line = <$fh>) {
  chomp $line;
  $line =~ s/\r\z//;
  next if $line =~ /\A\s*(?:#|\z)/;
  my @f = map { s/\A[ ]+|[ ]+\z//gr } split /\t/, $line, -1;
  die "mkmmdb.pl: $in:$.: expected 3 TAB-separated fields (prefix,"
    . " country, registered_country), got " . scalar(@f) . "\n"
    unless @f == 3;
  die "mkmmdb.pl: $in:$.: empty field (write \"-\" for an absent one)\n"
    if grep { $_ eq '' } @f;
  my ($prefix, $cc, $reg) = @f;
  if ($opt{escapes}) {
    # Decoded to bytes, then read as UTF-8 so that the writer stores them
    # as they are (it encodes Perl characters as UTF-8).
    for ($cc, $reg) {
      next if $_ eq '-';
      my $bytes = s/\\(x[0-9A-Fa-f]{2}|[nrt\\])/
        { n => "\n", r => "\r", t => "\t", '\\' => '\\' }->{$1}
        \/\/ chr(hex(substr($1, 1)))/ger;
      $_ = Encode::decode('UTF-8', $bytes, Encode::FB_DEFAULT);
    }
  }
  die "mkmmdb.pl: $in:$.: \"$prefix\" is not a prefix (address/len)\n"
    unless $prefix =~ m{\A[0-9A-Fa-f:.]+/\d{1,3}\z};
  if ($ipv == 4 && $prefix =~ /:/) {
    $skipped++;
    next;
  }
  my %rec;
  if ($opt{layout} eq 'maxmind') {
    $rec{country}            = { iso_code => $cc }  if $cc ne '-';
    $rec{registered_country} = { iso_code => $reg } if $reg ne '-';
  } elsif ($opt{layout} eq 'geolite2') {
    $rec{country}            = geo_country($cc)  if $cc ne '-';
    $rec{registered_country} = geo_country($reg) if $reg ne '-';
    my $c = $continent{ $cc ne '-' ? $cc : $reg } // '--';
    $rec{continent} = { code => $c, names => { en => $c } };
  } elsif ($opt{layout} eq 'flat') {
    my $code = $cc ne '-' ? $cc : $reg;
    $rec{country_code} = $code if $code ne '-';
  } else {
    $rec{autonomous_system_number}       = $asn;
    $rec{autonomous_system_organization} = "Test AS$asn ($cc)";
    $asn++;
  }
  eval { $tree->insert_network($prefix, \%rec); 1 }
    or die "mkmmdb.pl: $in:$.: cannot insert $prefix: $@";
  $rows++;
}
close($fh);
print STDERR "mkmmdb.pl: $in: skipped $skipped IPv6 rows (IPv4 database)\n"
  if $skipped;
die "mkmmdb.pl: $in: no networks\n" if $rows == 0;

my $tmp = "$out.tmp.$$";
open(my $ofh, '>:raw', $tmp) or die "mkmmdb.pl: cannot create $tmp: $!\n";
$tree->write_tree($ofh);
close($ofh) or die "mkmmdb.pl: cannot write $tmp: $!\n";
rename($tmp, $out) or do {
  my $e = $!;
  unlink($tmp);
  die "mkmmdb.pl: cannot rename $tmp to $out: $e\n";
};
exit 0;
