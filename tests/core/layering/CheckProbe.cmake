# SPDX-License-Identifier: Apache-2.0
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${PASS_TARGET}
                RESULT_VARIABLE pass_result OUTPUT_VARIABLE pass_output ERROR_VARIABLE pass_output)
if(NOT pass_result EQUAL 0)
    message(FATAL_ERROR "control probe failed to build, so the check proves nothing:\n${pass_output}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${FAIL_TARGET}
                RESULT_VARIABLE fail_result OUTPUT_VARIABLE fail_output ERROR_VARIABLE fail_output)
if(fail_result EQUAL 0)
    message(FATAL_ERROR "a core target compiled #include <QWidget>: core can see Qt Widgets")
endif()
if(NOT fail_output MATCHES "QWidget: No such file")
    message(FATAL_ERROR "the widgets probe failed for another reason:\n${fail_output}")
endif()
message(STATUS "core cannot include <QWidget>, as required")
