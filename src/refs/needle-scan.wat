;; The needle scan of needle-scan.ts, in WebAssembly: Wu–Manber over byte pairs. scripts/gen-wasm.mjs assembles it
;; (wabt) into needle-scan-wasm.ts; test/refs/needle-scan.test.ts fails when the two drift.
;;
;; Memory, laid out by needle-scan.ts (`LAYOUT` there):
;;   SHIFT   0       u8 per byte pair: how far no needle can start (the pair read little-endian: b[i-1] | b[i] << 8)
;;   FIRST   65536   i32 per byte pair: the first needle whose leading pair it is, -1 for none
;;   NEXT    327680  i32 per needle: the next needle with the same leading pair, -1 at the end
;;   START   327936  i32 per needle, then per looked-up word (64 in all): where its bytes are
;;   LENGTH  328192  i32 per needle and word: its length
;;   (the needles' and words' bytes from 328448)
;;   RULES   360448  8 i32 per rule (64 at most): the needles it needs all of, the needles it needs one of, the entry
;;                   of a word it needs too (-1 for none), how many words may stand in for the one-of needles, and
;;                   their entries (4 at most)
;;   PREFIX  364544  a bit per 13-bit hash of a needle's first four bytes (1 KiB; needles of four bytes or more)
;;   INPUT   393216  the bytes to scan
(module
  (import "env" "memory" (memory 6))
  ;; The shortest needle's length (`m`, at least 2) and the answer when every needle is found.
  (global $m (mut i32) (i32.const 2))
  (global $all (mut i32) (i32.const 0))
  (global $rules (mut i32) (i32.const 0))

  (func (export "setup") (param $m i32) (param $all i32) (param $rules i32)
    (global.set $m (local.get $m))
    (global.set $all (local.get $all))
    (global.set $rules (local.get $rules)))

  ;; The needles whose leading pair ends the window at $i (its shift is 0), added to $found when there.
  (func $verify (param $i i32) (param $n i32) (param $found i32) (result i32)
    (local $k i32) (local $start i32) (local $length i32) (local $at i32) (local $j i32)
    (local.set $start (i32.sub (i32.add (local.get $i) (i32.const 1)) (global.get $m)))
    ;; No needle starts with the window's first four bytes (their hash's bit is clear): nothing to compare. Most
    ;; windows whose last pair ends a needle's leading pair are such (`ea`, `nt`, `en` in any English word).
    (if (i32.ge_u (global.get $m) (i32.const 4))
      (then
        (local.set $j (i32.shr_u (i32.mul (i32.load offset=393216 (local.get $start)) (i32.const 0x9e3779b1))
          (i32.const 19)))
        (if (i32.eqz (i32.and
              (i32.load8_u offset=364544 (i32.shr_u (local.get $j) (i32.const 3)))
              (i32.shl (i32.const 1) (i32.and (local.get $j) (i32.const 7)))))
          (then (return (local.get $found))))))
    (local.set $k (i32.load offset=65536 (i32.shl (i32.load16_u offset=393215 (local.get $i)) (i32.const 2))))
    (block $chained
      (loop $chain
        (br_if $chained (i32.lt_s (local.get $k) (i32.const 0)))
        (block $next
          (br_if $next (i32.and (local.get $found) (i32.shl (i32.const 1) (local.get $k))))
          (local.set $length (i32.load offset=328192 (i32.shl (local.get $k) (i32.const 2))))
          (br_if $next (i32.gt_u (i32.add (local.get $start) (local.get $length)) (local.get $n)))
          (local.set $at (i32.load offset=327936 (i32.shl (local.get $k) (i32.const 2))))
          (local.set $j (i32.const 0))
          (block $differ
            (loop $compare
              (br_if $differ (i32.ge_u (local.get $j) (local.get $length)))
              (br_if $differ
                (i32.ne
                  (i32.load8_u offset=393216 (i32.add (local.get $start) (local.get $j)))
                  (i32.load8_u (i32.add (local.get $at) (local.get $j)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $compare)))
          (br_if $next (i32.ne (local.get $j) (local.get $length)))
          (local.set $found (i32.or (local.get $found) (i32.shl (i32.const 1) (local.get $k)))))
        (local.set $k (i32.load offset=327680 (i32.shl (local.get $k) (i32.const 2))))
        (br $chain)))
    (local.get $found))

  ;; Window ends from $i up to $end (exclusive), one window at a time.
  (func $tail (param $i i32) (param $end i32) (param $n i32) (param $found i32) (result i32)
    (local $s i32)
    (block $done
      (loop $window
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.eq (local.get $found) (global.get $all)))
        (local.set $s (i32.load8_u (i32.load16_u offset=393215 (local.get $i))))
        (if (local.get $s)
          (then (local.set $i (i32.add (local.get $i) (local.get $s))))
          (else
            (local.set $found (call $verify (local.get $i) (local.get $n) (local.get $found)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (br $window)))
    (local.get $found))

  ;; The needles found in INPUT's first $n bytes, bit k for needle k. Two windows move side by side, one from the
  ;; start and one from the middle: where a window goes next depends on the pair it has just read (a load, a table
  ;; load, an add), and two independent chains overlap. `half` splits the window ends, not the bytes: a needle is
  ;; found by the window that ends where its leading pair does, wherever it then runs to.
  (func $scan (export "scan") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $half i32) (local $s i32) (local $t i32) (local $found i32)
    (if (i32.lt_u (local.get $n) (global.get $m)) (then (return (i32.const 0))))
    (local.set $i (i32.sub (global.get $m) (i32.const 1)))
    (local.set $half (i32.add (local.get $i) (i32.shr_u (i32.sub (local.get $n) (local.get $i)) (i32.const 1))))
    (local.set $j (local.get $half))
    (block $done
      (loop $window
        (br_if $done (i32.ge_u (local.get $i) (local.get $half)))
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $s (i32.load8_u (i32.load16_u offset=393215 (local.get $i))))
        (local.set $t (i32.load8_u (i32.load16_u offset=393215 (local.get $j))))
        (if (i32.eqz (local.get $s))
          (then
            (local.set $found (call $verify (local.get $i) (local.get $n) (local.get $found)))
            (local.set $s (i32.const 1))))
        (if (i32.eqz (local.get $t))
          (then
            (local.set $found (call $verify (local.get $j) (local.get $n) (local.get $found)))
            (local.set $t (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (local.get $s)))
        (local.set $j (i32.add (local.get $j) (local.get $t)))
        (br_if $window (i32.ne (local.get $found) (global.get $all)))
        (return (local.get $found))))
    (call $tail (local.get $i) (local.get $half) (local.get $n)
      (call $tail (local.get $j) (local.get $n) (local.get $n) (local.get $found))))

  ;; Whether INPUT's first $n bytes hold entry $k of START/LENGTH (a looked-up word, any length from 1): a byte
  ;; compare at each place its first byte is, for the few words too short or too rare to scan for.
  (func $has (export "has") (param $k i32) (param $n i32) (result i32)
    (local $at i32) (local $length i32) (local $first i32) (local $i i32) (local $last i32) (local $j i32)
    (local $firsts i32) (local $x i32)
    (local.set $at (i32.load offset=327936 (i32.shl (local.get $k) (i32.const 2))))
    (local.set $length (i32.load offset=328192 (i32.shl (local.get $k) (i32.const 2))))
    (if (i32.gt_u (local.get $length) (local.get $n)) (then (return (i32.const 0))))
    (local.set $first (i32.load8_u (local.get $at)))
    (local.set $firsts (i32.mul (local.get $first) (i32.const 0x01010101)))
    (local.set $last (i32.sub (local.get $n) (local.get $length)))
    (block $absent
      (loop $place
        (br_if $absent (i32.gt_u (local.get $i) (local.get $last)))
        ;; Four places at a time where none holds the first byte: a zero byte of `word ^ firsts` is one that does
        ;; (`(x - 0x01010101) & ~x & 0x80808080` is non-zero exactly when x has a zero byte).
        (if (i32.le_u (i32.add (local.get $i) (i32.const 3)) (local.get $last))
          (then
            (local.set $x (i32.xor (i32.load offset=393216 (local.get $i)) (local.get $firsts)))
            (if (i32.eqz
                  (i32.and
                    (i32.and (i32.sub (local.get $x) (i32.const 0x01010101)) (i32.xor (local.get $x) (i32.const -1)))
                    (i32.const 0x80808080)))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $place)))))
        (if (i32.eq (i32.load8_u offset=393216 (local.get $i)) (local.get $first))
          (then
            (local.set $j (i32.const 1))
            (block $differ
              (loop $compare
                (br_if $differ (i32.ge_u (local.get $j) (local.get $length)))
                (br_if $differ
                  (i32.ne
                    (i32.load8_u offset=393216 (i32.add (local.get $i) (local.get $j)))
                    (i32.load8_u (i32.add (local.get $at) (local.get $j)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $compare)))
            (if (i32.eq (local.get $j) (local.get $length)) (then (return (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $place)))
    (i32.const 0))

  ;; Whether the bytes `scan` answered $found for (their first $n) meet one of the RULES: all its needles, then one
  ;; of its one-of needles or one of its words, then its word if it needs one. Words are looked up (`has`) only for a
  ;; rule whose needles are there.
  (func $passes (export "passes") (param $found i32) (param $n i32) (result i32)
    (local $r i32) (local $at i32) (local $needs i32) (local $one i32) (local $k i32) (local $words i32)
    (block $none
      (loop $rule
        (br_if $none (i32.ge_u (local.get $r) (global.get $rules)))
        (local.set $at (i32.add (i32.const 360448) (i32.shl (local.get $r) (i32.const 5))))
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
