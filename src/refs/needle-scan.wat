;; The needle scan of needle-scan.ts, in WebAssembly: Teddy (Hyperscan's SIMD literal matcher) over 16 positions at a
;; time. scripts/gen-wasm.mjs assembles it (wabt) into needle-scan-wasm.ts; test/refs/needle-scan.test.ts fails when
;; the two drift.
;;
;; The needles are in eight buckets. Four bytes of each needle (its window: OFF below) are tested by their two nibbles:
;; for byte j of a window, MASKS holds two 16-byte tables (low nibble, high nibble) whose entries are the bits of the
;; buckets that have a needle with such a nibble there. Sixteen windows (positions p…p+15) are tested at once: for
;; each j, the sixteen bytes from p+j give their nibbles' bucket bits (`i8x16.swizzle`), and the four results ANDed
;; leave, in lane i, the buckets whose needles' windows may start at p+i. Most blocks of sixteen leave none; for the
;; rest, at each lane left, the needles whose window is the four bytes there (SLOTS, a hash table of the windows) are
;; compared where they would start: most lanes left hold no needle's window, as the nibble tables let through mixes
;; of their needles' nibbles. A needle shorter than four bytes lets every byte through past its length, and is
;; compared at every lane left.
;;
;; Memory, laid out by needle-scan.ts (`LAYOUT` there):
;;   MASKS   0      8 × 16 bytes: byte j's low-nibble table at 32j, its high-nibble table at 32j + 16
;;   NEXT    512    i32 per needle: the next needle of its hash slot (or of the short needles), -1 at the end
;;   START   1024   i32 per needle, then per looked-up word (128 in all): where its bytes are
;;   LENGTH  1536   i32 per needle and word: its length; bit 31 set on a word that counts only standing alone (no
;;                  ASCII letter, digit or `_` just before or after it: a regular expression's `\b` on either side)
;;   HEAD    2048   i32 per needle: its first four bytes read little-endian (needles of four bytes or more)
;;   BIT     2560   i32 per needle: the bit of the answer it sets (needles that stand in for each other share one)
;;   OFF     3072   i32 per needle: where in the needle the four bytes the tables test start (its rarest four, chosen
;;                  offline: `from_pretrained` tested at `pret`, not at the `from` of every import), 0 for a needle
;;                  shorter than five bytes; a window that passes at p+i is that needle starting at p+i − OFF
;;   (the needles' and words' bytes from 3584)
;;   RULES   32768  8 i32 per rule (64 at most): the needles it needs all of, the needles it needs one of, the entry
;;                  of a word it needs too (-1 for none), how many words may stand in for the one-of needles, and
;;                  their entries (4 at most)
;;   SLOTS   36864  i32 per hash slot (1024): the first needle of four bytes or more whose window hashes there
;;                  (`$verify`), -1 for none
;;   WINDOW  40960  i32 per needle: its window's four bytes read little-endian (needles of four bytes or more)
;;   INPUT   65536  the bytes to scan, then at least 32 bytes of room (the last block reads past the end: what it
;;                  finds there is never compared, as no needle fits)
;; The memory is shared: needle-scan.ts grows it for a larger input, and a shared memory's buffer is never detached.
;; (The first buffer detached in a process costs V8 its compiled code that reads typed arrays.)
(module
  (import "env" "memory" (memory 2 65536 shared))
  ;; The shortest needle's length from its window on (at least 2), the answer when every needle is found, the number
;; of rules, the first needle shorter than four bytes (-1 for none; NEXT chains the rest).
  (global $m (mut i32) (i32.const 2))
  (global $all (mut i32) (i32.const 0))
  (global $rules (mut i32) (i32.const 0))
  (global $short (mut i32) (i32.const -1))

  (func (export "setup") (param $m i32) (param $all i32) (param $rules i32) (param $short i32)
    (global.set $m (local.get $m))
    (global.set $all (local.get $all))
    (global.set $rules (local.get $rules))
    (global.set $short (local.get $short)))

  ;; $found with the bits of the needles whose windows start at $window (and that end by $n) added: the needles of
  ;; four bytes or more whose window is the four bytes there, then the short ones.
  (func $verify (param $window i32) (param $n i32) (param $found i32) (result i32)
    (local $k i32) (local $bytes i32)
    (local.set $bytes (i32.load offset=65536 (local.get $window)))
    ;; Its hash slot: the top ten bits of a multiplicative hash of the four bytes (needle-scan.ts `slotOf`).
    (local.set $k
      (i32.load offset=36864
        (i32.shl (i32.shr_u (i32.mul (local.get $bytes) (i32.const 0x9e3779b1)) (i32.const 22)) (i32.const 2))))
    (block $chained
      (loop $chain
        (br_if $chained (i32.lt_s (local.get $k) (i32.const 0)))
        (if (i32.eq (i32.load offset=40960 (i32.shl (local.get $k) (i32.const 2))) (local.get $bytes))
          (then (local.set $found (call $check (local.get $k) (local.get $window) (local.get $n) (local.get $found)))))
        (local.set $k (i32.load offset=512 (i32.shl (local.get $k) (i32.const 2))))
        (br $chain)))
    (local.set $k (global.get $short))
    (block $shorts
      (loop $short
        (br_if $shorts (i32.lt_s (local.get $k) (i32.const 0)))
        (local.set $found (call $check (local.get $k) (local.get $window) (local.get $n) (local.get $found)))
        (local.set $k (i32.load offset=512 (i32.shl (local.get $k) (i32.const 2))))
        (br $short)))
    (local.get $found))

  ;; $found with the bit of needle $k added when its window starts at $window (and it ends by $n).
  (func $check (param $k i32) (param $window i32) (param $n i32) (param $found i32) (result i32)
    (local $length i32) (local $from i32) (local $j i32) (local $bit i32) (local $at i32)
    (block $next
      (local.set $bit (i32.load offset=2560 (i32.shl (local.get $k) (i32.const 2))))
      (br_if $next (i32.and (local.get $found) (local.get $bit)))
      ;; Where the needle would start: before the input's start, it is not there.
      (local.set $at (i32.sub (local.get $window) (i32.load offset=3072 (i32.shl (local.get $k) (i32.const 2)))))
      (br_if $next (i32.lt_s (local.get $at) (i32.const 0)))
      (local.set $length (i32.load offset=1536 (i32.shl (local.get $k) (i32.const 2))))
      (br_if $next (i32.gt_u (i32.add (local.get $at) (local.get $length)) (local.get $n)))
      (local.set $from (i32.load offset=1024 (i32.shl (local.get $k) (i32.const 2))))
      (local.set $j (i32.const 0))
      ;; Four bytes at once first: most candidates differ there.
      (if (i32.ge_u (local.get $length) (i32.const 4))
        (then
          (br_if $next
            (i32.ne (i32.load offset=65536 (local.get $at))
              (i32.load offset=2048 (i32.shl (local.get $k) (i32.const 2)))))
          (local.set $j (i32.const 4))))
      (block $differ
        (loop $compare
          (br_if $differ (i32.ge_u (local.get $j) (local.get $length)))
          (br_if $differ
            (i32.ne
              (i32.load8_u offset=65536 (i32.add (local.get $at) (local.get $j)))
              (i32.load8_u (i32.add (local.get $from) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $compare)))
      (br_if $next (i32.ne (local.get $j) (local.get $length)))
      (local.set $found (i32.or (local.get $found) (local.get $bit))))
    (local.get $found))

  ;; The needles found in INPUT's first $n bytes, the BIT of each one there: blocks of sixteen window positions, up
  ;; to the last a needle's window fits at. In a block, byte j's nibbles through its two tables (kept in locals:
  ;; registers), ANDed over j, leave in lane i the buckets whose needles' windows may start at p+i; a block with any
  ;; has them compared.
  ;; The blocks that leave none (nearly all) go round a loop of their own with no call in it: with the compare's
  ;; calls in the same loop V8 kept the tables on the stack and loaded them again for every block.
  (func $scan (export "scan") (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $v v128) (local $m v128) (local $nibble v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128)
    (local $lo2 v128) (local $hi2 v128) (local $lo3 v128) (local $hi3 v128)
    (local $lanes i32) (local $found i32)
    (if (i32.lt_u (local.get $n) (global.get $m)) (then (return (i32.const 0))))
    ;; One past the last position a needle's window can start at.
    (local.set $end (i32.sub (i32.add (local.get $n) (i32.const 1)) (global.get $m)))
    (local.set $nibble (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $lo0 (v128.load (i32.const 0)))
    (local.set $hi0 (v128.load (i32.const 16)))
    (local.set $lo1 (v128.load (i32.const 32)))
    (local.set $hi1 (v128.load (i32.const 48)))
    (local.set $lo2 (v128.load (i32.const 64)))
    (local.set $hi2 (v128.load (i32.const 80)))
    (local.set $lo3 (v128.load (i32.const 96)))
    (local.set $hi3 (v128.load (i32.const 112)))
    (block $done
      (loop $blocks
        (block $hit
          (loop $quiet
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            ;; (The high nibble by a 16-bit shift and the mask: the byte shift is the same and more instructions.)
            (local.set $v (v128.load offset=65536 (local.get $p)))
            (local.set $m
              (v128.and
                (i8x16.swizzle (local.get $lo0) (v128.and (local.get $v) (local.get $nibble)))
                (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nibble)))))
            (local.set $v (v128.load offset=65537 (local.get $p)))
            (local.set $m
              (v128.and (local.get $m)
                (v128.and
                  (i8x16.swizzle (local.get $lo1) (v128.and (local.get $v) (local.get $nibble)))
                  (i8x16.swizzle (local.get $hi1) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nibble))))))
            (local.set $v (v128.load offset=65538 (local.get $p)))
            (local.set $m
              (v128.and (local.get $m)
                (v128.and
                  (i8x16.swizzle (local.get $lo2) (v128.and (local.get $v) (local.get $nibble)))
                  (i8x16.swizzle (local.get $hi2) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nibble))))))
            (local.set $v (v128.load offset=65539 (local.get $p)))
            (local.set $m
              (v128.and (local.get $m)
                (v128.and
                  (i8x16.swizzle (local.get $lo3) (v128.and (local.get $v) (local.get $nibble)))
                  (i8x16.swizzle (local.get $hi3) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nibble))))))
            (br_if $hit (v128.any_true (local.get $m)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $quiet)))
        (local.set $lanes (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i64x2 0 0))))
        (loop $lane
          (local.set $found
            (call $verify (i32.add (local.get $p) (i32.ctz (local.get $lanes))) (local.get $n) (local.get $found)))
          (local.set $lanes (i32.and (local.get $lanes) (i32.sub (local.get $lanes) (i32.const 1))))
          (br_if $lane (local.get $lanes)))
        (if (i32.eq (local.get $found) (global.get $all)) (then (return (local.get $found))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (local.get $found))

  ;; Whether INPUT's first $n bytes hold entry $k of START/LENGTH (a looked-up word, any length from 1): sixteen
  ;; places at a time tested for its first byte, and the rest of the word compared where it is, for the few words
  ;; too short or too rare to scan for (`hub` in every file that imports torch). A word that counts only standing
  ;; alone (LENGTH's bit 31) counts where neither byte beside it is an ASCII letter, digit or `_` (`github` holds no
  ;; such `hub`): a byte over 0x7f is part of a character that is none of those once the bytes are decoded.
  (func $has (export "has") (param $k i32) (param $n i32) (result i32)
    (local $at i32) (local $length i32) (local $i i32) (local $last i32) (local $j i32) (local $places i32)
    (local $place i32) (local $first v128) (local $second v128) (local $any v128) (local $alone i32) (local $slow i32)
    (local.set $at (i32.load offset=1024 (i32.shl (local.get $k) (i32.const 2))))
    (local.set $length (i32.load offset=1536 (i32.shl (local.get $k) (i32.const 2))))
    (local.set $alone (i32.lt_s (local.get $length) (i32.const 0)))
    (local.set $length (i32.and (local.get $length) (i32.const 0x7fffffff)))
    (if (i32.gt_u (local.get $length) (local.get $n)) (then (return (i32.const 0))))
    (local.set $first (i8x16.splat (i32.load8_u (local.get $at))))
    ;; The quiet loop below tests a word's first two bytes (a one-byte word's second test passes everywhere: $any).
    (if (i32.eq (local.get $length) (i32.const 1))
      (then (local.set $any (v128.const i64x2 -1 -1)))
      (else (local.set $second (i8x16.splat (i32.load8_u offset=1 (local.get $at))))))
    ;; The last place the word fits at; a block's places past it are dropped (the bytes read there are never used).
    (local.set $last (i32.sub (local.get $n) (local.get $length)))
    (block $absent
      (loop $block
        (br_if $absent (i32.gt_u (local.get $i) (local.get $last)))
        ;; Sixty-four places at a time where none holds the word's first two bytes (nearly every block of a file the
        ;; word is not in: a `load` looked for through a 5 KiB file): four blocks' tests ORed, one branch. Only while
        ;; the bytes read stay within INPUT's room past the end (its last load ends at $i + 65 ≤ $n + 17).
        (block $loud
          ;; The four blocks after a loud test go one by one (a place in the last one is not tested four times).
          (br_if $loud (local.get $slow))
          (local.set $slow (i32.const 4))
          (loop $quiet
            (br_if $loud (i32.gt_s (i32.add (local.get $i) (i32.const 48)) (local.get $n)))
            (br_if $loud
              (v128.any_true
                (v128.or
                  (v128.or
                    (v128.and (i8x16.eq (v128.load offset=65536 (local.get $i)) (local.get $first))
                      (v128.or (i8x16.eq (v128.load offset=65537 (local.get $i)) (local.get $second)) (local.get $any)))
                    (v128.and (i8x16.eq (v128.load offset=65552 (local.get $i)) (local.get $first))
                      (v128.or (i8x16.eq (v128.load offset=65553 (local.get $i)) (local.get $second)) (local.get $any))))
                  (v128.or
                    (v128.and (i8x16.eq (v128.load offset=65568 (local.get $i)) (local.get $first))
                      (v128.or (i8x16.eq (v128.load offset=65569 (local.get $i)) (local.get $second)) (local.get $any)))
                    (v128.and (i8x16.eq (v128.load offset=65584 (local.get $i)) (local.get $first))
                      (v128.or (i8x16.eq (v128.load offset=65585 (local.get $i)) (local.get $second)) (local.get $any)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 64)))
            (br $quiet)))
        (local.set $slow (i32.sub (local.get $slow) (i32.const 1)))
        (br_if $absent (i32.gt_u (local.get $i) (local.get $last)))
        (local.set $places
          (i8x16.bitmask
            (v128.and (i8x16.eq (v128.load offset=65536 (local.get $i)) (local.get $first))
              (v128.or (i8x16.eq (v128.load offset=65537 (local.get $i)) (local.get $second)) (local.get $any)))))
        (if (i32.lt_u (i32.sub (local.get $last) (local.get $i)) (i32.const 15))
          (then
            (local.set $places
              (i32.and (local.get $places)
                (i32.sub (i32.shl (i32.const 2) (i32.sub (local.get $last) (local.get $i))) (i32.const 1))))))
        (block $tested
          (loop $place
            (br_if $tested (i32.eqz (local.get $places)))
            (local.set $place (i32.add (local.get $i) (i32.ctz (local.get $places))))
            (local.set $j (i32.const 1))
            (block $differ
              (loop $compare
                (br_if $differ (i32.ge_u (local.get $j) (local.get $length)))
                (br_if $differ
                  (i32.ne
                    (i32.load8_u offset=65536 (i32.add (local.get $place) (local.get $j)))
                    (i32.load8_u (i32.add (local.get $at) (local.get $j)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $compare)))
            (if (i32.eq (local.get $j) (local.get $length))
              (then
                (if (i32.eqz (local.get $alone)) (then (return (i32.const 1))))
                (if (i32.eqz
                      (i32.or
                        (i32.and (i32.ne (local.get $place) (i32.const 0))
                          (call $wordByte (i32.load8_u offset=65535 (local.get $place))))
                        (i32.and (i32.lt_u (i32.add (local.get $place) (local.get $length)) (local.get $n))
                          (call $wordByte
                            (i32.load8_u offset=65536 (i32.add (local.get $place) (local.get $length)))))))
                  (then (return (i32.const 1))))))
            (local.set $places (i32.and (local.get $places) (i32.sub (local.get $places) (i32.const 1))))
            (br $place)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    (i32.const 0))

  ;; Whether byte $c is an ASCII letter, digit or `_` (what a regular expression's `\w` is without the u flag).
  (func $wordByte (param $c i32) (result i32)
    (i32.or
      (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 26))
      (i32.or
        (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
        (i32.eq (local.get $c) (i32.const 95)))))

  ;; Whether the bytes `scan` answered $found for (their first $n) meet one of the RULES: all its needles, then one
  ;; of its one-of needles or one of its words, then its word if it needs one. Words are looked up (`has`) only for a
  ;; rule whose needles are there.
  (func $passes (export "passes") (param $found i32) (param $n i32) (result i32)
    (local $r i32) (local $at i32) (local $needs i32) (local $one i32) (local $k i32) (local $words i32)
    (block $none
      (loop $rule
        (br_if $none (i32.ge_u (local.get $r) (global.get $rules)))
        (local.set $at (i32.add (i32.const 32768) (i32.shl (local.get $r) (i32.const 5))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (local.set $needs (i32.load (local.get $at)))
        (br_if $rule (i32.ne (i32.and (local.get $found) (local.get $needs)) (local.get $needs)))
        (local.set $one (i32.ne (i32.and (local.get $found) (i32.load offset=4 (local.get $at))) (i32.const 0)))
        (local.set $words (i32.load offset=12 (local.get $at)))
        (local.set $k (i32.const 0))
        (block $word
          (loop $next
            (br_if $word (local.get $one))
            (br_if $word (i32.ge_u (local.get $k) (local.get $words)))
            (local.set $one
              (call $has
                (i32.load offset=16 (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2))))
                (local.get $n)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $next)))
        (br_if $rule (i32.eqz (local.get $one)))
        (local.set $k (i32.load offset=8 (local.get $at)))
        ;; (An `if`: `i32.and` would look the word up even when there is none.)
        (if (i32.ge_s (local.get $k) (i32.const 0))
          (then (br_if $rule (i32.eqz (call $has (local.get $k) (local.get $n))))))
        (return (i32.const 1))))
    (i32.const 0))

  ;; The scan of INPUT's first $n bytes and the rules over its answer, in one call (the walk's test of each source
  ;; file): 0 when no rule passes, 1 when one does, 2 when a needle of $ask is there and so is entry $word (the
  ;; caller has a test of its own for that case and scans again).
  (func (export "verdict") (param $n i32) (param $ask i32) (param $word i32) (result i32)
    (local $found i32)
    (local.set $found (call $scan (local.get $n)))
    (if (i32.eqz (local.get $found)) (then (return (i32.const 0))))
    (if (i32.and (local.get $found) (local.get $ask))
      (then (if (call $has (local.get $word) (local.get $n)) (then (return (i32.const 2))))))
    (call $passes (local.get $found) (local.get $n))))
