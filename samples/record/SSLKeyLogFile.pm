# Perl preload giving swaks an NSS key log, as SSLKEYLOGFILE does for curl:
#
#   SSLKEYLOGFILE=x.keys perl -I samples/record -MSSLKeyLogFile /usr/bin/swaks --tls ...
#
# swaks 20201014 makes its TLS context with Net::SSLeay::CTX_new() and ignores
# SSLKEYLOGFILE (so does OpenSSL 3.0 itself).  This wraps CTX_new to install
# OpenSSL's keylog callback (Net::SSLeay 1.92: CTX_set_keylog_callback), which
# is handed exactly the lines OpenSSL writes for s_client -keylogfile.
# Net::SSLeay must not be loaded before swaks is compiled (its prototypes would
# change how swaks parses), so the wrap happens when swaks itself requires it.
package SSLKeyLogFile;
use strict;
use warnings;

sub _wrap {
    my $orig = \&Net::SSLeay::CTX_new;
    no warnings qw(redefine prototype);
    *Net::SSLeay::CTX_new = sub {
        my $ctx = $orig->(@_);
        my $file = $ENV{SSLKEYLOGFILE};
        if ($ctx && $file) {
            Net::SSLeay::CTX_set_keylog_callback($ctx, sub {
                my (undef, $line) = @_;
                open(my $fh, '>>', $file) or die "SSLKEYLOGFILE $file: $!";
                print $fh "$line\n";
                close($fh);
            });
        }
        return $ctx;
    };
}

my $hook;
$hook = sub {
    my (undef, $file) = @_;
    return unless $file eq 'Net/SSLeay.pm';
    @INC = grep { !ref($_) || $_ != $hook } @INC;
    require Net::SSLeay;
    _wrap();
    my $src = "1;\n";
    open(my $fh, '<', \$src);
    return $fh;
};
unshift @INC, $hook;
1;
