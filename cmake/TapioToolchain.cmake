# Compiler launcher, warnings and sanitizers shared by every Tapio target.

find_program(TAPIO_CCACHE ccache)
if(TAPIO_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${TAPIO_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${TAPIO_CCACHE})
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

add_library(tapio_warnings INTERFACE)
target_compile_options(tapio_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough)
if(TAPIO_WERROR)
  target_compile_options(tapio_warnings INTERFACE -Werror)
endif()

if(TAPIO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(TAPIO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TAPIO_FUZZ needs clang (libFuzzer); configure with CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
