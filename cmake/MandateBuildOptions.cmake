# SPDX-License-Identifier: Apache-2.0
# One INTERFACE target carries the language level, warnings and strict Qt defines.
# Every Mandate target links it; nothing is set globally.
option(MANDATE_WERROR "Treat warnings as errors (CI turns this on)" OFF)

add_library(mandate_build_options INTERFACE)
add_library(Mandate::BuildOptions ALIAS mandate_build_options)

target_compile_features(mandate_build_options INTERFACE cxx_std_20)
target_compile_options(mandate_build_options INTERFACE
    -Wall -Wextra -Wpedantic -Wold-style-cast -Wnon-virtual-dtor
    $<$<BOOL:${MANDATE_WERROR}>:-Werror>)
target_compile_definitions(mandate_build_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    MANDATE_VERSION="${PROJECT_VERSION}")

# mandate_add_core_module(NAME SOURCES... [DEPENDS core modules...] [QT Qt modules...])
# A concern of core (policy, broker, ...) as its own static library, so that it can be
# built and tested alone and its dependencies are explicit.
function(mandate_add_core_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;QT;LIBS" ${ARGN})
    set(target mandate-core-${name})
    qt_add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}/core")
    set(qt_libs Qt6::Core)
    foreach(module IN LISTS ARG_QT)
        list(APPEND qt_libs Qt6::${module})
    endforeach()
    set(deps)
    foreach(dep IN LISTS ARG_DEPENDS)
        list(APPEND deps mandate-core-${dep})
    endforeach()
    target_link_libraries(${target} PUBLIC ${qt_libs} ${deps} mandate_build_options PRIVATE ${ARG_LIBS})
    set_property(GLOBAL APPEND PROPERTY MANDATE_CORE_MODULES ${target})
endfunction()
