# Fuzzing (docs/fuzzing.md). With POP3_FUZZ (clang only) every target below becomes a
# libFuzzer executable and everything it links is instrumented; with POP3_BUILD_TESTS the same
# sources are built with a replay main and each committed corpus runs as a ctest
# "fuzz/<target>/corpus", in any build.
if(POP3_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "POP3_FUZZ needs clang (libFuzzer); use the 'fuzz' preset")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# pop3_add_fuzz_target(<name> SOURCES <file>... LIBRARIES <target>... CORPUS <dir>)
function(pop3_add_fuzz_target name)
  cmake_parse_arguments(PARSE_ARGV 1 FUZZ "" "CORPUS" "SOURCES;LIBRARIES")
  if(POP3_FUZZ)
    add_executable(${name} ${FUZZ_SOURCES})
    target_link_libraries(${name} PRIVATE pop3_fuzz_support ${FUZZ_LIBRARIES})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  endif()
  if(POP3_BUILD_TESTS)
    add_executable(${name}_replay ${FUZZ_SOURCES})
    target_link_libraries(${name}_replay PRIVATE pop3_fuzz_replay ${FUZZ_LIBRARIES})
    add_test(NAME fuzz/${name}/corpus COMMAND ${name}_replay ${FUZZ_CORPUS})
    set_tests_properties(fuzz/${name}/corpus PROPERTIES TIMEOUT 120)
  endif()
endfunction()
