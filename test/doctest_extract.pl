#!/usr/bin/perl
# Splits a markdown file into the pieces test/doctest.sh runs (see CONTRIBUTING.md, "Doc test").
#
#   perl test/doctest_extract.pl FILE.md OUTDIR
#
# Fences are ``` lines at the start of a line; the first word after the backticks is the tag.
#   ```sql            run; must not fail
#   ```sql error      run; must fail (its output shows the ERROR)
#   ```text           right after a sql block (blank lines between allowed): the exact output
#   ```<tag> file=X   (any tag) its content is written to the file X in the server's data
#                     directory before the first block runs, so load_csv('...', 'X') reads it
# Any other tag (sh, pgsql, csv, ...) is shown, not run.
# Writes OUTDIR/<n>.sql, <n>.expected (when a text block follows), <n>.mode (ok|error),
# <n>.line (line of the opening fence), files/<X>, and OUTDIR/problems (one line per layout
# error, e.g. an untagged block right after a sql block).
use strict;
use warnings;

my ($md, $out) = @ARGV;
die "usage: $0 FILE.md OUTDIR\n" unless defined $out;
open my $in, '<:raw', $md or die "$md: $!\n";
my @lines = <$in>;
close $in;

# Every fenced block, in order: tag, the other words, content, opening line, and whether only
# blank lines separate it from the block before.
my @blocks;
my $blank_run_since_block = 1;    # true until a non-blank line outside a fence
my $after_block = 0;
for (my $i = 0; $i < @lines; $i++) {
    my $l = $lines[$i];
    if ($l =~ /^(```+)\s*(.*?)\s*$/) {
        my ($fence, $info) = ($1, $2);
        my @words = split /\s+/, $info;
        my $tag = @words ? shift @words : '';
        my $start = $i + 1;
        my $content = '';
        $i++;
        while ($i < @lines && $lines[$i] !~ /^\Q$fence\E`*\s*$/) {
            $content .= $lines[$i];
            $i++;
        }
        die "$md:$start: unterminated fence\n" if $i >= @lines;
        push @blocks, { tag => $tag, words => [@words], content => $content, line => $start,
                        adjacent => ($after_block && $blank_run_since_block) };
        $after_block = 1;
        $blank_run_since_block = 1;
        next;
    }
    $blank_run_since_block = 0 if $l =~ /\S/;
}

mkdir $out;
mkdir "$out/files";
open my $problems, '>', "$out/problems" or die;
my $n = 0;
for (my $b = 0; $b < @blocks; $b++) {
    my $blk = $blocks[$b];
    for my $w (@{ $blk->{words} }) {
        next unless $w =~ /^file=(.+)$/;
        my $name = $1;
        if ($name !~ /^[A-Za-z0-9_.-]+$/ || $name =~ /^\./) {
            print $problems "line $blk->{line}: file=$name: use a plain file name (letters, digits, _ . -)\n";
            next;
        }
        if ($blk->{content} =~ /[\\\t]/) {
            print $problems "line $blk->{line}: file=$name holds a backslash or a tab, which the doc test cannot write\n";
            next;
        }
        write_file("$out/files/$name", $blk->{content});
    }
    next unless $blk->{tag} eq 'sql';
    $n++;
    my @flags = grep { !/^file=/ } @{ $blk->{words} };
    my $mode = 'ok';
    for my $f (@flags) {
        if ($f eq 'error') { $mode = 'error' }
        else { print $problems "line $blk->{line}: unknown word \"$f\" after ```sql (known: error)\n" }
    }
    write_file("$out/$n.sql", $blk->{content});
    write_file("$out/$n.mode", "$mode\n");
    write_file("$out/$n.line", "$blk->{line}\n");
    my $next = $blocks[$b + 1];
    next unless $next && $next->{adjacent};
    if ($next->{tag} eq 'text') {
        write_file("$out/$n.expected", $next->{content});
    } elsif ($next->{tag} eq '') {
        print $problems "line $next->{line}: the output block after the sql block of line $blk->{line} needs the tag text (```text)\n";
    }
}
close $problems;

# Writes a string to a file, bytes as they are.
sub write_file {
    my ($path, $text) = @_;
    open my $f, '>:raw', $path or die "$path: $!\n";
    print $f $text;
    close $f;
}
