;; The logical lines of python-lines.ts (`Lexer.lines`) and the assignment hits of python-snippet.ts
;; (`assignmentHits`), and text.ts's screen of nesting and long lines (`shape`), in WebAssembly, over a file's bytes:
;; the refs stage's Python quick finder ran them over every character of each file that names a loader, interpreted
;; while V8 compiled them on another thread (bench `refs`).
;; scripts/gen-wasm.mjs assembles it (wabt) into python-lines-wasm.ts; test/refs/python-lines-wasm.test.ts holds it
;; to the JavaScript, and test/refs/needle-scan.test.ts fails when the committed bytes drift from this text.
;;
;; It reads only the common shapes and gives up (-1) on anything else: a byte over 0x7f (offsets in bytes would not
;; be offsets in the decoded text), a carriage return, a word starting with a digit before a quote (`1f"…"`), a named
;; escape (`\N{…}`), an f-string field with a quote, comment, backslash, line feed, nested field or `lambda` in it,
;; and everything the JavaScript lexer cannot vouch for either (an unclosed bracket or long string, a stray closing
;; bracket, a backslash that continues nothing). The caller then runs the JavaScript, which decides exactly.
;;
;; The hot loops go sixteen bytes at a time to the next byte that matters (`$find`, WebAssembly's SIMD); the rest read
;; a byte's class from a table (one load, no call: the module runs as V8's baseline code, which calls what it is told
;; to). Memory, laid out by python-lines-native.ts:
;;   CLASS   0     u8 per ASCII byte: 1 a stop of `CODE_RUN` (line feed, bracket, quote, `#`, backslash), 2 a blank
;;                 (space, tab, form feed), 4 a word's byte, 8 a digit, 16 a gap before an assignment's `=` (blank,
;;                 backslash, line feed)
;;   INPUT   128   the file's bytes, then at least 16 bytes of padding
;;   (shared, so that growing it never detaches a buffer: see needle-scan.wat)
;;   the lines it writes from $out, two i32 each (start; end, bit 31 set for a block header); the assignment hits from
;;   $hits, four i32 each (the line's index, the name's start and end, the hit before it with a name of the same
;;   hash); the chains' heads from $heads (`assignments`)
(module
  (import "env" "memory" (memory 1 65536 shared))
  (data (i32.const 0) "\00\00\00\00\00\00\00\00\00\12\11\00\12\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\00\01\01\00\00\00\01\01\01\00\00\00\00\00\00\0c\0c\0c\0c\0c\0c\0c\0c\0c\0c\00\00\00\00\00\00\00\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\01\11\01\00\04\00\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\01\00\01\00\00")
  (global $n (mut i32) (i32.const 0))

  ;; The first offset from $i whose byte is in a set, or $n: sixteen bytes at a time. A byte is in the set when the
  ;; bit sets that $lo gives its low nibble and $hi its high nibble share a bit (each set below is exact: its bytes
  ;; fall in groups of one high nibble, a bit per group). The bytes past $n it reads are the padding's.
  (func $find (param $i i32) (param $lo v128) (param $hi v128) (result i32)
    (local $v v128) (local $m i32)
    (loop $block
      (if (i32.ge_u (local.get $i) (global.get $n)) (then (return (global.get $n))))
      (local.set $v (v128.load offset=128 (local.get $i)))
      (local.set $m
        (i8x16.bitmask
          (i8x16.ne
            (v128.and
              (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
              (i8x16.swizzle (local.get $hi) (i8x16.shr_u (local.get $v) (i32.const 4))))
            (v128.const i64x2 0 0))))
      (if (local.get $m)
        (then
          (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $m))))
          (return (select (global.get $n) (local.get $i) (i32.gt_u (local.get $i) (global.get $n))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $block))
    (global.get $n))

  ;; The byte at $i, -1 past the end.
  (func $at (param $i i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $i) (global.get $n))
      (then (i32.load8_u offset=128 (local.get $i)))
      (else (i32.const -1))))

  ;; Whether the byte at $i (before the end) is of class $bits.
  (func $is (param $i i32) (param $bits i32) (result i32)
    (i32.and (i32.load8_u (i32.load8_u offset=128 (local.get $i))) (local.get $bits)))

  ;; `prefixAt`: the string prefix before the quote at $q, as flags (1 raw, 2 format; 0 for none or a word that is no
  ;; prefix), -1 (give up) for a word that starts with a digit.
  (func $prefixAt (param $from i32) (param $q i32) (result i32)
    (local $j i32) (local $a i32) (local $b i32)
    (local.set $j (local.get $q))
    (block $done
      (loop $back
        (br_if $done (i32.le_s (local.get $j) (local.get $from)))
        (br_if $done (i32.eqz (call $is (i32.sub (local.get $j) (i32.const 1)) (i32.const 4))))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $back)))
    (if (i32.ge_s (local.get $j) (local.get $q)) (then (return (i32.const 0))))
    (if (call $is (local.get $j) (i32.const 8)) (then (return (i32.const -1))))
    ;; STRING_PREFIX, any case: u b r f, rb br rf fr.
    (local.set $a (i32.or (call $at (local.get $j)) (i32.const 32)))
    (if (i32.eq (i32.sub (local.get $q) (local.get $j)) (i32.const 1))
      (then
        (if (i32.eq (local.get $a) (i32.const 114)) (then (return (i32.const 1))))
        (if (i32.eq (local.get $a) (i32.const 102)) (then (return (i32.const 2))))
        (return (i32.const 0))))
    (if (i32.ne (i32.sub (local.get $q) (local.get $j)) (i32.const 2)) (then (return (i32.const 0))))
    (local.set $b (i32.or (call $at (i32.add (local.get $j) (i32.const 1))) (i32.const 32)))
    ;; rb, br
    (if (i32.or
          (i32.and (i32.eq (local.get $a) (i32.const 114)) (i32.eq (local.get $b) (i32.const 98)))
          (i32.and (i32.eq (local.get $a) (i32.const 98)) (i32.eq (local.get $b) (i32.const 114))))
      (then (return (i32.const 1))))
    ;; rf, fr
    (if (i32.or
          (i32.and (i32.eq (local.get $a) (i32.const 114)) (i32.eq (local.get $b) (i32.const 102)))
          (i32.and (i32.eq (local.get $a) (i32.const 102)) (i32.eq (local.get $b) (i32.const 114))))
      (then (return (i32.const 3))))
    (i32.const 0))

  ;; `replacement`, for fields with none of what the header lists: brackets, a conversion, a format spec without a
  ;; nested field, up to the field's `}`. The offset after it, or -1.
  (func $replacement (param $from i32) (result i32)
    (local $depth i32) (local $i i32) (local $c i32)
    (local.set $i (i32.sub (local.get $from) (i32.const 1)))
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $c (call $at (local.get $i)))
      (if (i32.lt_s (local.get $c) (i32.const 0)) (then (return (i32.const -1))))
      ;; A quote, `#`, a backslash, a line feed: the JavaScript reads these.
      (if (i32.or
            (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 39)))
            (i32.or
              (i32.or (i32.eq (local.get $c) (i32.const 35)) (i32.eq (local.get $c) (i32.const 92)))
              (i32.eq (local.get $c) (i32.const 10))))
        (then (return (i32.const -1))))
      (if (i32.or (i32.eq (local.get $c) (i32.const 40))
            (i32.or (i32.eq (local.get $c) (i32.const 91)) (i32.eq (local.get $c) (i32.const 123))))
        (then
          (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
          (br $next)))
      (if (i32.or (i32.eq (local.get $c) (i32.const 41)) (i32.eq (local.get $c) (i32.const 93)))
        (then
          (if (i32.eqz (local.get $depth)) (then (return (i32.const -1))))
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (br $next)))
      (if (i32.eq (local.get $c) (i32.const 125))
        (then
          (if (i32.eqz (local.get $depth)) (then (return (i32.add (local.get $i) (i32.const 1)))))
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (br $next)))
      (br_if $next (local.get $depth))
      (if (i32.eq (local.get $c) (i32.const 58))
        (then (return (call $formatSpec (i32.add (local.get $i) (i32.const 1))))))
      ;; `lambda` anywhere at depth 0 (a lambda's colon would read as a spec's): the JavaScript decides. The four bytes
      ;; after the `l` are read whole (the padding after the input keeps that in bounds).
      (if (i32.and (i32.eq (local.get $c) (i32.const 108))
            (i32.and
              (i32.eq (i32.load offset=129 (local.get $i)) (i32.const 0x64626d61))
              (i32.eq (call $at (i32.add (local.get $i) (i32.const 5))) (i32.const 97))))
        (then (return (i32.const -1))))
      (br $next))
    (i32.const -1))

  ;; `formatSpec` without nested fields: any byte but braces, up to the field's `}`.
  (func $formatSpec (param $from i32) (result i32)
    (local $i i32) (local $c i32)
    (local.set $i (local.get $from))
    (loop $next
      (local.set $c (call $at (local.get $i)))
      (if (i32.or (i32.lt_s (local.get $c) (i32.const 0)) (i32.eq (local.get $c) (i32.const 123)))
        (then (return (i32.const -1))))
      (if (i32.eq (local.get $c) (i32.const 125)) (then (return (i32.add (local.get $i) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))
    (i32.const -1))

  ;; `string`: from its opening quote at $open, with the prefix's flags; the offset after it, or -1.
  (func $string (param $open i32) (param $flags i32) (result i32)
    (local $quote i32) (local $long i32) (local $i i32) (local $c i32) (local $raw i32) (local $format i32)
    (local $n i32)
    (local.set $n (global.get $n))
    (local.set $quote (call $at (local.get $open)))
    (local.set $long
      (i32.and
        (i32.eq (call $at (i32.add (local.get $open) (i32.const 1))) (local.get $quote))
        (i32.eq (call $at (i32.add (local.get $open) (i32.const 2))) (local.get $quote))))
    (local.set $raw (i32.and (local.get $flags) (i32.const 1)))
    (local.set $format (i32.and (local.get $flags) (i32.const 2)))
    (local.set $i (i32.add (local.get $open) (select (i32.const 3) (i32.const 1) (local.get $long))))
    (loop $next
      ;; Past the bytes no test below stops at (a docstring's words), then the byte that stopped it.
      ;; (A quote, a backslash, a line feed, `{`.)
      (local.set $i (call $find (local.get $i) (v128.const i8x16 0 0 2 0 0 0 0 2 0 0 1 8 4 0 0 0) (v128.const i8x16 1 0 2 0 0 4 0 8 0 0 0 0 0 0 0 0)))
      (if (i32.ge_u (local.get $i) (local.get $n))
        (then (return (select (i32.const -1) (local.get $i) (local.get $long)))))
      (local.set $c (i32.load8_u offset=128 (local.get $i)))
      (if (i32.eq (local.get $c) (i32.const 123))
        (then
          (if (i32.eqz (local.get $format))
            (then (local.set $i (i32.add (local.get $i) (i32.const 1))))
            (else
              (if (i32.eq (call $at (i32.add (local.get $i) (i32.const 1))) (i32.const 123))
                (then (local.set $i (i32.add (local.get $i) (i32.const 2))))
                (else
                  (local.set $i (call $replacement (i32.add (local.get $i) (i32.const 1))))
                  (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const -1))))))))
          (br $next)))
      (if (i32.eq (local.get $c) (i32.const 92))
        (then
          ;; Escapes, and raw strings still skip the byte after a backslash; a named escape gives up.
          (local.set $i
            (i32.add (local.get $i)
              (select (i32.const 1) (i32.const 2)
                (i32.and (local.get $raw) (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))))))
          (if (i32.and (i32.eqz (local.get $raw))
                (i32.and (i32.eq (call $at (i32.sub (local.get $i) (i32.const 1))) (i32.const 78))
                  (i32.eq (call $at (local.get $i)) (i32.const 123))))
            (then (return (i32.const -1))))
          (br $next)))
      (if (i32.eq (local.get $c) (local.get $quote))
        (then
          (if (i32.eqz (local.get $long)) (then (return (i32.add (local.get $i) (i32.const 1)))))
          (if (i32.and
                (i32.eq (call $at (i32.add (local.get $i) (i32.const 1))) (local.get $quote))
                (i32.eq (call $at (i32.add (local.get $i) (i32.const 2))) (local.get $quote)))
            (then (return (i32.add (local.get $i) (i32.const 3)))))))
      (if (i32.and (i32.eq (local.get $c) (i32.const 10)) (i32.eqz (local.get $long)))
        (then (return (local.get $i))))
      ;; The other quote, or a line feed in a long string.
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))
    (i32.const -1))

  ;; Whether the $n bytes hold one over 0x7f or a carriage return, four at a time (a zero byte of `word ^ 0x0d0d0d0d`
  ;; is a carriage return: `(x - 0x01010101) & ~x & 0x80808080` is non-zero exactly when x has a zero byte).
  (func $unreadable (param $n i32) (result i32)
    (local $i i32) (local $w i32) (local $x i32) (local $c i32)
    (block $words
      (loop $next
        (br_if $words (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $w (i32.load offset=128 (local.get $i)))
        (if (i32.and (local.get $w) (i32.const 0x80808080)) (then (return (i32.const 1))))
        (local.set $x (i32.xor (local.get $w) (i32.const 0x0d0d0d0d)))
        (if (i32.and (i32.and (i32.sub (local.get $x) (i32.const 0x01010101)) (i32.xor (local.get $x) (i32.const -1)))
              (i32.const 0x80808080))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (block $bytes
      (loop $next
        (br_if $bytes (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u offset=128 (local.get $i)))
        (if (i32.or (i32.ge_u (local.get $c) (i32.const 128)) (i32.eq (local.get $c) (i32.const 13)))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; `Lexer.lines` over $n bytes: the number of lines written from $out, or -1.
  (func (export "lines") (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $q i32) (local $c i32) (local $start i32) (local $lastCode i32) (local $depth i32)
    (local $count i32) (local $first i32) (local $last i32) (local $flags i32)
    (global.set $n (local.get $n))
    (if (call $unreadable (local.get $n)) (then (return (i32.const -1))))
    (local.set $start (i32.const -1))
    (local.set $lastCode (i32.const -1))
    (block $end
      (loop $next
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        ;; CODE_RUN: past the bytes that are no stop, sixteen at a time (a line feed, a bracket, a quote, `#`, a
        ;; backslash: CLASS bit 1); its first and last code bytes, if any. (The class tests are written out, not
        ;; called: V8's baseline code makes every call, and these run for each byte of indentation.)
        (local.set $q (call $find (local.get $i) (v128.const i8x16 0 0 2 2 0 0 0 2 2 2 1 12 4 12 0 0) (v128.const i8x16 1 0 2 0 0 4 0 8 0 0 0 0 0 0 0 0)))
        (if (i32.gt_u (local.get $q) (local.get $i))
          (then
            (local.set $first (local.get $i))
            (block $found
              (loop $blank
                (br_if $found (i32.ge_u (local.get $first) (local.get $q)))
                (br_if $found (i32.eqz (i32.and (i32.load8_u (i32.load8_u offset=128 (local.get $first))) (i32.const 2))))
                (local.set $first (i32.add (local.get $first) (i32.const 1)))
                (br $blank)))
            (if (i32.lt_u (local.get $first) (local.get $q))
              (then
                (if (i32.lt_s (local.get $start) (i32.const 0)) (then (local.set $start (local.get $first))))
                (local.set $last (i32.sub (local.get $q) (i32.const 1)))
                (block $found
                  (loop $blank
                    (br_if $found (i32.eqz (i32.and (i32.load8_u (i32.load8_u offset=128 (local.get $last))) (i32.const 2))))
                    (local.set $last (i32.sub (local.get $last) (i32.const 1)))
                    (br $blank)))
                (local.set $lastCode (local.get $last))))))
        (br_if $end (i32.ge_u (local.get $q) (local.get $n)))
        (local.set $c (i32.load8_u offset=128 (local.get $q)))
        (if (i32.eq (local.get $c) (i32.const 10))
          (then
            (if (i32.and (i32.eqz (local.get $depth)) (i32.ge_s (local.get $start) (i32.const 0)))
              (then
                (call $line (local.get $out) (local.get $count) (local.get $start) (local.get $q) (local.get $lastCode))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))
                (local.set $start (i32.const -1))))
            (local.set $i (i32.add (local.get $q) (i32.const 1)))
            (br $next)))
        ;; A comment, to the line feed that ends it (`skipSpace`).
        (if (i32.eq (local.get $c) (i32.const 35))
          (then
            (local.set $i (call $find (i32.add (local.get $q) (i32.const 1)) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0) (v128.const i8x16 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
            (br $next)))
        ;; A backslash continues the line, or gives up.
        (if (i32.eq (local.get $c) (i32.const 92))
          (then
            (if (i32.ne (call $at (i32.add (local.get $q) (i32.const 1))) (i32.const 10))
              (then (return (i32.const -1))))
            (local.set $i (i32.add (local.get $q) (i32.const 2)))
            (br $next)))
        (if (i32.lt_s (local.get $start) (i32.const 0)) (then (local.set $start (local.get $q))))
        (if (i32.or (i32.eq (local.get $c) (i32.const 40))
              (i32.or (i32.eq (local.get $c) (i32.const 91)) (i32.eq (local.get $c) (i32.const 123))))
          (then
            (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
            (local.set $i (i32.add (local.get $q) (i32.const 1))))
          (else
            (if (i32.or (i32.eq (local.get $c) (i32.const 41))
                  (i32.or (i32.eq (local.get $c) (i32.const 93)) (i32.eq (local.get $c) (i32.const 125))))
              (then
                (if (i32.eqz (local.get $depth)) (then (return (i32.const -1))))
                (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                (local.set $i (i32.add (local.get $q) (i32.const 1))))
              (else
                ;; A quote: the string, with the prefix before it.
                (local.set $flags (call $prefixAt (local.get $i) (local.get $q)))
                (if (i32.lt_s (local.get $flags) (i32.const 0)) (then (return (i32.const -1))))
                (local.set $i (call $string (local.get $q) (local.get $flags)))
                (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const -1))))))))
        (local.set $lastCode (i32.sub (local.get $i) (i32.const 1)))
        (br $next)))
    (if (local.get $depth) (then (return (i32.const -1))))
    (if (i32.ge_s (local.get $start) (i32.const 0))
      (then
        (call $line (local.get $out) (local.get $count) (local.get $start) (local.get $n) (local.get $lastCode))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))))
    (local.get $count))

  ;; Line $k: its start, and its end with bit 31 set when its last code byte is `:` (a block header).
  (func $line (param $out i32) (param $k i32) (param $start i32) (param $end i32) (param $lastCode i32)
    (local $at i32)
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))
    (i32.store (local.get $at) (local.get $start))
    (i32.store offset=4 (local.get $at)
      (i32.or (local.get $end)
        (select (i32.const 0x80000000) (i32.const 0)
          (i32.and (i32.ge_s (local.get $lastCode) (i32.const 0))
            (i32.eq (call $at (local.get $lastCode)) (i32.const 58)))))))

;; The block structure of the $count logical lines `lines` wrote at $out (python-scopes.ts, python-lines-native.ts
  ;; `inFunctionBody`): each line's indentation (its start less the line feed before it) at $indents, and its parent at
  ;; $parents, the nearest line above it with less indentation that no line between has closed (-1 for none). $stack
  ;; is room for $count lines. The parents of a line, then theirs, are the open blocks around it: a block header among
  ;; them holds the line in its body (CPython's tokenizer opens and closes blocks by the same comparison).
  (func (export "blocks") (param $out i32) (param $count i32) (param $indents i32) (param $parents i32) (param $stack i32)
    (local $i i32) (local $start i32) (local $p i32) (local $own i32) (local $top i32)
    (block $end
      (loop $next
        (br_if $end (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $start (i32.load (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $p (local.get $start))
        (block $found
          (loop $back
            (br_if $found (i32.le_s (local.get $p) (i32.const 0)))
            (br_if $found (i32.eq (i32.load8_u offset=127 (local.get $p)) (i32.const 10)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $back)))
        (local.set $own (i32.sub (local.get $start) (local.get $p)))
        (i32.store (i32.add (local.get $indents) (i32.shl (local.get $i) (i32.const 2))) (local.get $own))
        (block $closed
          (loop $pop
            (br_if $closed (i32.eqz (local.get $top)))
            (br_if $closed
              (i32.lt_s
                (i32.load (i32.add (local.get $indents)
                  (i32.shl (i32.load (i32.add (local.get $stack) (i32.shl (i32.sub (local.get $top) (i32.const 1)) (i32.const 2))))
                    (i32.const 2))))
                (local.get $own)))
            (local.set $top (i32.sub (local.get $top) (i32.const 1)))
            (br $pop)))
        (i32.store (i32.add (local.get $parents) (i32.shl (local.get $i) (i32.const 2)))
          (if (result i32) (local.get $top)
            (then (i32.load (i32.add (local.get $stack) (i32.shl (i32.sub (local.get $top) (i32.const 1)) (i32.const 2)))))
            (else (i32.const -1))))
        (i32.store (i32.add (local.get $stack) (i32.shl (local.get $top) (i32.const 2))) (local.get $i))
        (local.set $top (i32.add (local.get $top) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; text.ts `nestingDepth` and `looksGenerated`'s line count over the $n bytes `load` put in INPUT (for the screen the
  ;; refs stage runs before any reader): the deepest bracket nesting (every bracket, strings' too; a closing bracket
  ;; at depth 0 changes nothing) returned, and in $long and $counted the lines over 1000 bytes among the first 2000
  ;; lines (`split('\n', 2000)`'s pieces) and how many of those there are.
  (global $long (export "long") (mut i32) (i32.const 0))
  (global $counted (export "counted") (mut i32) (i32.const 0))
  (func (export "shape") (param $n i32) (result i32)
    (local $i i32) (local $c i32) (local $depth i32) (local $max i32) (local $start i32) (local $lines i32)
    (local $long i32)
    (global.set $n (local.get $n))
    (block $end
      (loop $next
        ;; (A line feed or a bracket.)
        (local.set $i (call $find (local.get $i) (v128.const i8x16 0 0 0 0 0 0 0 0 2 2 1 12 0 12 0 0) (v128.const i8x16 1 0 2 0 0 4 0 8 0 0 0 0 0 0 0 0)))
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u offset=128 (local.get $i)))
        (if (i32.eq (local.get $c) (i32.const 10))
          (then
            (if (i32.lt_u (local.get $lines) (i32.const 2000))
              (then
                (local.set $long (i32.add (local.get $long)
                  (i32.gt_u (i32.sub (local.get $i) (local.get $start)) (i32.const 1000))))
                (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
            (local.set $start (i32.add (local.get $i) (i32.const 1))))
          (else
            (if (i32.or (i32.eq (local.get $c) (i32.const 40))
                  (i32.or (i32.eq (local.get $c) (i32.const 91)) (i32.eq (local.get $c) (i32.const 123))))
              (then
                (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
                (if (i32.gt_u (local.get $depth) (local.get $max)) (then (local.set $max (local.get $depth)))))
              (else
                (if (local.get $depth) (then (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; The text after the last line feed is a piece of its own.
    (if (i32.lt_u (local.get $lines) (i32.const 2000))
      (then
        (local.set $long (i32.add (local.get $long)
          (i32.gt_u (i32.sub (local.get $n) (local.get $start)) (i32.const 1000))))
        (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
    (global.set $long (local.get $long))
    (global.set $counted (local.get $lines))
    (local.get $max))

  ;; The line feeds among INPUT's bytes from $from to $to (text.ts `lineIndex`'s count, for the few offsets a file's
  ;; references are at): sixteen bytes at a time, then one at a time.
  (func (export "newlines") (param $from i32) (param $to i32) (result i32)
    (local $i i32) (local $count i32)
    (local.set $i (local.get $from))
    (block $blocks
      (loop $block
        (br_if $blocks (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $to)))
        (local.set $count
          (i32.add (local.get $count)
            (i32.popcnt
              (i8x16.bitmask (i8x16.eq (v128.load offset=128 (local.get $i)) (i8x16.splat (i32.const 10)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    (block $bytes
      (loop $byte
        (br_if $bytes (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $count
          (i32.add (local.get $count) (i32.eq (i32.load8_u offset=128 (local.get $i)) (i32.const 10))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte)))
    (local.get $count))

  ;; Every place a name stands, as python-snippet.ts's patterns `(?<![A-Za-z_])NAME(?![\w])` find names, over the $n
  ;; bytes: each letter or `_` that follows no letter or `_` (a digit may stand before it: `1torch` and `a1torch` hold
  ;; `torch`) starts one, which runs to the next byte that is no letter, digit or `_`. Sixteen bytes at a time
  ;; (`$wordBytes`): the starts from the block's letters, and each end from its word bytes. Written from $words, four
  ;; i32 each: the logical line it is in among the $lines lines `lines` wrote at $out (-1 between lines: a comment, a
  ;; blank line, past the last), its start and end, and the place before it whose name hashes alike (its number + 1,
  ;; 0 for none); $heads holds 4096 i32, the last place per hash, as `assignments` chains its hits. The hash is FNV-1a
  ;; over the name's length and its first, middle and last bytes (python-lines-native.ts `placeHash`), low 12 bits.
  ;; Returns how many.
  (func (export "words") (param $n i32) (param $out i32) (param $lines i32) (param $words i32) (param $heads i32)
    (result i32)
    (local $p i32) (local $w i32) (local $l i32) (local $starts i32) (local $carry i32) (local $s i32) (local $e i32)
    (local $q i32) (local $more i32) (local $count i32) (local $line i32) (local $at i32) (local $h i32)
    (local $length i32) (local $slot i32)
    (memory.fill (local.get $heads) (i32.const 0) (i32.const 16384))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $p) (local.get $n)))
        ;; The block's word bytes (bit k for byte $p + k) and letters; none past the end.
        (local.set $w (call $wordBytes (local.get $p)))
        (local.set $l (i32.shr_u (local.get $w) (i32.const 16)))
        (local.set $w (i32.and (local.get $w) (i32.const 0xffff)))
        (if (i32.lt_u (i32.sub (local.get $n) (local.get $p)) (i32.const 16))
          (then
            (local.set $more (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $n) (local.get $p))) (i32.const 1)))
            (local.set $w (i32.and (local.get $w) (local.get $more)))
            (local.set $l (i32.and (local.get $l) (local.get $more)))))
        ;; A letter after no letter ($carry: the last block's last byte was one).
        (local.set $starts
          (i32.and (local.get $l)
            (i32.xor (i32.or (i32.shl (local.get $l) (i32.const 1)) (local.get $carry)) (i32.const -1))))
        (local.set $carry (i32.shr_u (local.get $l) (i32.const 15)))
        (block $blockDone
          (loop $start
            (br_if $blockDone (i32.eqz (local.get $starts)))
            (local.set $s (i32.ctz (local.get $starts)))
            (local.set $starts (i32.and (local.get $starts) (i32.sub (local.get $starts) (i32.const 1))))
            ;; Its end: the first byte after it that is no word byte, in this block or the next ones, or the text's end.
            (local.set $more
              (i32.and (i32.xor (local.get $w) (i32.const 0xffff)) (i32.shl (i32.const -1) (local.get $s))))
            (local.set $s (i32.add (local.get $p) (local.get $s)))
            (if (local.get $more)
              (then (local.set $e (i32.add (local.get $p) (i32.ctz (local.get $more)))))
              (else
                (local.set $q (i32.add (local.get $p) (i32.const 16)))
                (block $ended
                  (loop $on
                    (local.set $e (local.get $n))
                    (br_if $ended (i32.ge_u (local.get $q) (local.get $n)))
                    (local.set $more
                      (i32.xor (i32.and (call $wordBytes (local.get $q)) (i32.const 0xffff)) (i32.const 0xffff)))
                    (local.set $e (i32.add (local.get $q) (i32.ctz (local.get $more))))
                    (br_if $ended (local.get $more))
                    (local.set $q (i32.add (local.get $q) (i32.const 16)))
                    (br $on)))
                ;; (Bytes past the end read as the padding's: the text ends the name.)
                (local.set $e (select (local.get $n) (local.get $e) (i32.gt_u (local.get $e) (local.get $n))))))
            ;; `lineCursor`: the first line ending at or after the start; the place is in it when it starts by then.
            (block $found
              (loop $advance
                (br_if $found (i32.ge_u (local.get $line) (local.get $lines)))
                (br_if $found
                  (i32.ge_u
                    (i32.and
                      (i32.load offset=4 (i32.add (local.get $out) (i32.shl (local.get $line) (i32.const 3))))
                      (i32.const 0x7fffffff))
                    (local.get $s)))
                (local.set $line (i32.add (local.get $line) (i32.const 1)))
                (br $advance)))
            (local.set $at (i32.add (local.get $words) (i32.shl (local.get $count) (i32.const 4))))
            (i32.store (local.get $at) (i32.const -1))
            (if (i32.lt_u (local.get $line) (local.get $lines))
              (then
                (if (i32.le_u (i32.load (i32.add (local.get $out) (i32.shl (local.get $line) (i32.const 3))))
                      (local.get $s))
                  (then (i32.store (local.get $at) (local.get $line))))))
            (i32.store offset=4 (local.get $at) (local.get $s))
            (i32.store offset=8 (local.get $at) (local.get $e))
            (local.set $length (i32.sub (local.get $e) (local.get $s)))
            (local.set $h (i32.mul (i32.xor (i32.const 0x811c9dc5) (local.get $length)) (i32.const 0x01000193)))
            (local.set $h
              (i32.mul (i32.xor (local.get $h) (i32.load8_u offset=128 (local.get $s))) (i32.const 0x01000193)))
            (local.set $h
              (i32.mul
                (i32.xor (local.get $h)
                  (i32.load8_u offset=128 (i32.add (local.get $s) (i32.shr_u (local.get $length) (i32.const 1)))))
                (i32.const 0x01000193)))
            (local.set $h
              (i32.mul (i32.xor (local.get $h) (i32.load8_u offset=127 (local.get $e))) (i32.const 0x01000193)))
            (local.set $slot
              (i32.add (local.get $heads) (i32.shl (i32.and (local.get $h) (i32.const 4095)) (i32.const 2))))
            (i32.store offset=12 (local.get $at) (i32.load (local.get $slot)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (i32.store (local.get $slot) (local.get $count))
            (br $start)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $block)))
    (local.get $count))

  ;; The sixteen bytes from $p: bit k set for a letter, digit or `_` at $p + k, and bit 16 + k for a letter or `_`. A
  ;; byte's two nibbles each give a set of groups (low nibble: 0-9 · 1-15 · 0-10 · 15; high nibble: 3 digits · 4 and 6
  ;; A-O a-o · 5 and 7 P-Z p-z · 5 `_`): the groups both give are the byte's; the first is the digits'.
  (func $wordBytes (param $p i32) (result i32)
    (local $v v128) (local $c v128)
    (local.set $v (v128.load offset=128 (local.get $p)))
    (local.set $c
      (v128.and
        (i8x16.swizzle (v128.const i8x16 5 7 7 7 7 7 7 7 7 7 6 2 2 2 2 10)
          (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
        (i8x16.swizzle (v128.const i8x16 0 0 0 1 2 12 2 4 0 0 0 0 0 0 0 0)
          (v128.and (i16x8.shr_u (local.get $v) (i32.const 4))
            (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))))
    (i32.or
      (i8x16.bitmask (i8x16.ne (local.get $c) (v128.const i64x2 0 0)))
      (i32.shl
        (i8x16.bitmask
          (i8x16.ne (v128.and (local.get $c) (v128.const i8x16 14 14 14 14 14 14 14 14 14 14 14 14 14 14 14 14))
            (v128.const i64x2 0 0)))
        (i32.const 16))))

  ;; `assignmentHits` over the $lines lines `lines` wrote at $out: the hits written from $hits, their number.
  ;; Each hit is also chained by its name: $heads holds 4096 i32, the last hit (its number + 1, 0 for none) whose name
  ;; hashes there (FNV-1a over its bytes, low 12 bits); each hit's fourth i32 is the hit before it in that chain.
  (func (export "assignments") (param $n i32) (param $out i32) (param $lines i32) (param $hits i32) (param $heads i32)
    (result i32)
    (local $eq i32) (local $end i32) (local $start i32) (local $line i32) (local $count i32) (local $at i32)
    (local $h i32) (local $j i32) (local $slot i32)
    (global.set $n (local.get $n))
    (memory.fill (local.get $heads) (i32.const 0) (i32.const 16384))
    (local.set $eq (i32.const -1))
    (block $done
      (loop $next
        ;; (`=`.)
        (local.set $eq (call $find (i32.add (local.get $eq) (i32.const 1)) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0) (v128.const i8x16 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0)))
        (br_if $done (i32.ge_u (local.get $eq) (local.get $n)))
        (br_if $next (i32.eq (call $at (i32.add (local.get $eq) (i32.const 1))) (i32.const 61)))
        ;; Back past blanks, backslashes and line feeds, then the word; its leading digits are no part of the name.
        (local.set $end (local.get $eq))
        (block $gap
          (loop $back
            (br_if $gap (i32.eqz (local.get $end)))
            (br_if $gap (i32.eqz (i32.and (i32.load8_u (i32.load8_u offset=127 (local.get $end))) (i32.const 16))))
            (local.set $end (i32.sub (local.get $end) (i32.const 1)))
            (br $back)))
        (local.set $start (local.get $end))
        (block $word
          (loop $back
            (br_if $word (i32.eqz (local.get $start)))
            (br_if $word (i32.eqz (i32.and (i32.load8_u (i32.load8_u offset=127 (local.get $start))) (i32.const 4))))
            (local.set $start (i32.sub (local.get $start) (i32.const 1)))
            (br $back)))
        (block $digits
          (loop $forward
            (br_if $digits (i32.ge_u (local.get $start) (local.get $end)))
            (br_if $digits (i32.eqz (i32.and (i32.load8_u (i32.load8_u offset=128 (local.get $start))) (i32.const 8))))
            (local.set $start (i32.add (local.get $start) (i32.const 1)))
            (br $forward)))
        (br_if $next (i32.eq (local.get $start) (local.get $end)))
        ;; `lineCursor`: the line $start is in (offsets come in ascending order); none past the last line.
        (block $found
          (loop $advance
            (br_if $done (i32.ge_u (local.get $line) (local.get $lines)))
            (br_if $found
              (i32.ge_u
                (i32.and
                  (i32.load offset=4 (i32.add (local.get $out) (i32.shl (local.get $line) (i32.const 3))))
                  (i32.const 0x7fffffff))
                (local.get $start)))
            (local.set $line (i32.add (local.get $line) (i32.const 1)))
            (br $advance)))
        (br_if $next
          (i32.gt_u (i32.load (i32.add (local.get $out) (i32.shl (local.get $line) (i32.const 3)))) (local.get $start)))
        (local.set $at (i32.add (local.get $hits) (i32.shl (local.get $count) (i32.const 4))))
        (i32.store (local.get $at) (local.get $line))
        (i32.store offset=4 (local.get $at) (local.get $start))
        (i32.store offset=8 (local.get $at) (local.get $end))
        ;; The name's hash, and the hit chained in front of the others with it.
        (local.set $h (i32.const 0x811c9dc5))
        (local.set $j (local.get $start))
        (block $hashed
          (loop $byte
            (br_if $hashed (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $h
              (i32.mul (i32.xor (local.get $h) (i32.load8_u offset=128 (local.get $j))) (i32.const 0x01000193)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $byte)))
        (local.set $slot (i32.add (local.get $heads) (i32.shl (i32.and (local.get $h) (i32.const 4095)) (i32.const 2))))
        (i32.store offset=12 (local.get $at) (i32.load (local.get $slot)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (i32.store (local.get $slot) (local.get $count))
        (br $next)))
    (local.get $count)))
