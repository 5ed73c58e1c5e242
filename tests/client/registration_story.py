"""The registration story through a client generated from openapi/openapi.json alone.

An admin creates an institution and its representative (IR); the IR signs in, chooses a new
password and invites someone; the invitee signs in with the invitation, sends the form; the IR
approves; once the account exists the new member signs in, chooses a new password and reads
their record. No hand-written request, no patched JSON: only the generated functions and
models.

Usage: python registration_story.py BASE_URL ADMIN_ACCOUNT ADMIN_PASSWORD
"""

import sys
import time

from b2mms_client import AuthenticatedClient, Client
from b2mms_client.api.auth import change_password, sign_in
from b2mms_client.api.institutions import add_representative, create_institution
from b2mms_client.api.invitations import create_invitation
from b2mms_client.api.members import create_member, get_me
from b2mms_client.api.registrations import (
    approve_registration,
    get_registration,
    sign_in_with_invitation,
    submit_registration,
)
from b2mms_client.models import (
    ApproveRegistration,
    Category,
    ChangePasswordRequest,
    CreatedInvitation,
    Institution,
    InvitationLogin,
    LoginRequest,
    Member,
    NewInstitution,
    NewInvitation,
    NewMember,
    Registration,
    RegistrationState,
    RegistrationToken,
    RepresentativeRequest,
    SubmitRegistration,
    SubmittedRegistration,
    TokenResponse,
)


def expect(result, kind, step):
    """The answer of one step, which must be of the documented success type."""
    if not isinstance(result, kind):
        sys.exit(f"{step}: expected {kind.__name__}, got {result!r}")
    return result


def signed_in(base, account, password, new_password=None):
    """A client with a full session; changes a first password when asked to."""
    public = Client(base_url=base)
    token = expect(
        sign_in.sync(client=public, body=LoginRequest(account=account, password=password)),
        TokenResponse,
        f"sign in as {account}",
    )
    client = AuthenticatedClient(base_url=base, token=token.access_token)
    if token.must_change_password:
        changed = expect(
            change_password.sync(
                client=client,
                body=ChangePasswordRequest(current_password=password, new_password=new_password),
            ),
            TokenResponse,
            f"first password of {account}",
        )
        client = AuthenticatedClient(base_url=base, token=changed.access_token)
    return client


def main(base, admin_account, admin_password):
    admin = signed_in(base, admin_account, admin_password)
    napoli = expect(
        create_institution.sync(
            client=admin,
            body=NewInstitution(
                name="Istituto Nazionale di Fisica Nucleare, Sezione di Napoli",
                short_name="INFNNA",
                city="Napoli",
                country="IT",
            ),
        ),
        Institution,
        "create the institution",
    )
    ir = expect(
        create_member.sync(
            client=admin,
            body=NewMember(
                given_name="Giulia",
                family_name="Romano",
                email="giulia.romano@na.infn.it",
                account_name="gromano",
                initial_password="Initial-Secret-42!",
                institution_id=napoli.id,
                category=Category.PHYSICIST_PERMANENT,
            ),
        ),
        Member,
        "create the representative",
    )
    expect(
        add_representative.sync(
            id=napoli.id, client=admin, body=RepresentativeRequest(person_id=ir.id)
        ),
        Institution,
        "appoint the representative",
    )

    representative = signed_in(base, "gromano", "Initial-Secret-42!", "Vesuvio-Lantern-Orbit-58")
    invitation = expect(
        create_invitation.sync(
            client=representative,
            body=NewInvitation(email="marco.bruno@na.infn.it", institution_id=napoli.id),
        ),
        CreatedInvitation,
        "invite",
    )

    registration = expect(
        sign_in_with_invitation.sync(
            client=Client(base_url=base),
            body=InvitationLogin(username=invitation.username, password=invitation.password),
        ),
        RegistrationToken,
        "sign in with the invitation",
    )
    applicant = AuthenticatedClient(base_url=base, token=registration.access_token)
    submitted = expect(
        submit_registration.sync(
            id=registration.registration_id,
            client=applicant,
            body=SubmitRegistration(
                given_name="Marco",
                family_name="Bruno",
                email="marco.bruno@na.infn.it",
                account_name="mbruno",
                initial_password="Violet-Harbour-Lamp-73",
                institution_id=napoli.id,
                category=Category.PHD_STUDENT,
            ),
        ),
        SubmittedRegistration,
        "send the form",
    )
    assert submitted.registration.state == RegistrationState.AWAITING_IR, submitted

    approved = expect(
        approve_registration.sync(
            id=registration.registration_id, client=representative, body=ApproveRegistration()
        ),
        Registration,
        "approve",
    )
    assert approved.state == RegistrationState.APPROVED, approved

    deadline = time.monotonic() + 30
    while True:
        state = expect(
            get_registration.sync(id=registration.registration_id, client=representative),
            Registration,
            "read the request",
        ).state
        if state == RegistrationState.PROVISIONED:
            break
        if time.monotonic() > deadline:
            sys.exit(f"the account was not created in time (state {state})")
        time.sleep(0.5)

    member = signed_in(base, "mbruno", "Violet-Harbour-Lamp-73", "Golfo-Copper-Valley-36")
    me = expect(get_me.sync(client=member), Member, "read my record")
    assert me.account_name == "mbruno", me
    assert me.institution_id == napoli.id, me
    print("the registration story ran through the generated client")


if __name__ == "__main__":
    main(*sys.argv[1:4])
