package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.Principal;

/** The uid a DTLS peer authenticated as: its PSK identity, or the CN of its certificate's subject. Stateless. */
public final class PrincipalNames {

    private PrincipalNames() {
    }

    /** The uid of a DTLS principal, or null when it names none. */
    public static @Nullable String uidOf(final @NotNull Principal principal) {
        if (principal instanceof PreSharedKeyIdentity) {
            return ((PreSharedKeyIdentity) principal).getIdentity();
        }
        if (principal instanceof X509CertPath) {
            return commonName(((X509CertPath) principal).getTarget().getSubjectX500Principal().getName());
        }
        return principal.getName();
    }

    static @Nullable String commonName(final @NotNull String dn) {
        try {
            for (final Rdn rdn : new LdapName(dn).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (final InvalidNameException e) {
            return null;
        }
        return null;
    }
}
