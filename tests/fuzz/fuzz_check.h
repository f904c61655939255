// KYSO_FUZZ_CHECK(cond, message): an invariant a fuzz target asserts about the code under test.
//
// A fuzzer only learns of a bug by a crash, so a broken invariant aborts, in every build type
// (assert() would vanish from the RelWithDebInfo replay build). The message says which contract was
// broken; the stack trace (libFuzzer, or a core under replay) says where.
#ifndef KYSO_TESTS_FUZZ_FUZZ_CHECK_H_
#define KYSO_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define KYSO_FUZZ_CHECK(cond, message)                                                    \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s (%s)\n", __FILE__, __LINE__, \
                   (message), #cond);                                                     \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

#endif  // KYSO_TESTS_FUZZ_FUZZ_CHECK_H_
