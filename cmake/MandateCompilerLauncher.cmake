# SPDX-License-Identifier: Apache-2.0
# Use ccache when it is installed, so that re-running the README commands is cheap.
find_program(MANDATE_CCACHE ccache)
if(MANDATE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${MANDATE_CCACHE}" CACHE STRING "" FORCE)
endif()
