package org.jioth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LicensesTest {

    @ParameterizedTest(name = "program {0}, plug-in {1} -> {2}")
    @CsvSource(nullValues = "NULL", value = {
        // no licence declared by the plug-in, or LGPL: always
        "NULL, NULL, true",
        "NULL, LGPL-2.1-or-later, true",
        "MIT, lgpl-3.0-only, true",
        // anything else with the program's licence unset: never
        "NULL, GPL-2.0-or-later, false",
        "NULL, MIT, false",
        // equal, case-insensitive, prefix optional
        "MIT, MIT, true",
        "SPDX-License-Identifier: Apache-2.0, apache-2.0, true",
        "GPL-2.0-only, SPDX-License-Identifier: GPL-2.0-only, true",
        // GPL-2.0-or-later plug-in
        "GPL-2.0-only, GPL-2.0-or-later, true",
        "GPL-3.0-only, GPL-2.0-or-later, true",
        "GPL-2.0-or-later, GPL-2.0-or-later, true",
        "GPL-3.0-or-later, GPL-2.0-or-later, true",
        "MIT, GPL-2.0-or-later, false",
        "LGPL-2.1-only, GPL-2.0-or-later, false",
        // GPL-3.0-or-later plug-in
        "GPL-3.0-only, GPL-3.0-or-later, true",
        "GPL-3.0-or-later, GPL-3.0-or-later, true",
        "GPL-2.0-only, GPL-3.0-or-later, false",
        "GPL-2.0-or-later, GPL-3.0-or-later, false",
        // picox's dual licence
        "GPL-2.0-only, GPL-2.0-only OR GPL-3.0-only, true",
        "GPL-3.0-or-later, gpl-2.0-only or gpl-3.0-only, true",
        "MIT, GPL-2.0-only OR GPL-3.0-only, false",
        // in doubt, deny
        "MIT, Apache-2.0, false",
        "GPL-2.0-only, AGPL-3.0-only, false",
    })
    void libiothLicenceTable(String program, String plugin, boolean allowed) {
        assertThat(Licenses.allowed(program, plugin)).isEqualTo(allowed);
    }
}
